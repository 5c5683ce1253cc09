using ScottPlot;

namespace TreasuryManager.Reports;

/// <summary>One named series over the path's time axis (one value per time point).</summary>
public sealed record NamedSeries(string Name, IReadOnlyList<double> Values);

/// <summary>
/// What the charts of one simulated path show: the external reference price with the managed pool's centre and
/// range, each strategy's inventory, and each strategy's cumulative PnL against hold. All series have one value
/// per entry of <see cref="Time"/>.
/// </summary>
/// <param name="Title">The scenario and path, e.g. "crash — path 0 (seed 42)".</param>
/// <param name="TimeLabel">The x axis, e.g. "hours" or "block".</param>
/// <param name="Time">The time points.</param>
/// <param name="ReferencePrice">The external market's price, quote per base.</param>
/// <param name="PoolCentre">The managed pool's price (its curve's current point), quote per base.</param>
/// <param name="PoolLow">The managed pool's range low, quote per base.</param>
/// <param name="PoolHigh">The managed pool's range high, quote per base.</param>
/// <param name="Inventory">Base held in each strategy's pool position.</param>
/// <param name="CumulativePnl">Each strategy's PnL against hold, in quote.</param>
public sealed record PathChartData(
    string Title,
    string TimeLabel,
    IReadOnlyList<double> Time,
    IReadOnlyList<double> ReferencePrice,
    IReadOnlyList<double> PoolCentre,
    IReadOnlyList<double> PoolLow,
    IReadOnlyList<double> PoolHigh,
    IReadOnlyList<NamedSeries> Inventory,
    IReadOnlyList<NamedSeries> CumulativePnl)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first series whose length differs from <see cref="Time"/>.</summary>
    public void Validate()
    {
        if (Time.Count < 2) throw new ArgumentException($"chart '{Title}': {Time.Count} time points; a chart needs at least 2", nameof(Time));
        void Check(string name, IReadOnlyList<double> values)
        {
            if (values.Count != Time.Count)
                throw new ArgumentException($"chart '{Title}': series '{name}' has {values.Count} points, the time axis {Time.Count}", name);
        }
        Check(nameof(ReferencePrice), ReferencePrice);
        Check(nameof(PoolCentre), PoolCentre);
        Check(nameof(PoolLow), PoolLow);
        Check(nameof(PoolHigh), PoolHigh);
        foreach (var s in Inventory) Check($"inventory {s.Name}", s.Values);
        foreach (var s in CumulativePnl) Check($"pnl {s.Name}", s.Values);
    }
}

/// <summary>The backtest report's PNG charts (ScottPlot), one file per chart.</summary>
public static class BacktestCharts
{
    public const int Width = 1000;
    public const int Height = 500;

    /// <summary>The file names <see cref="Write"/> produces, in order.</summary>
    public static readonly IReadOnlyList<string> FileNames = ["price-and-range.png", "inventory.png", "cumulative-pnl.png"];

    /// <summary>Writes the three charts into <paramref name="directory"/> (created if missing); returns their full paths.</summary>
    public static IReadOnlyList<string> Write(PathChartData data, string directory)
    {
        data.Validate();
        Directory.CreateDirectory(directory);
        var time = data.Time.ToArray();
        var paths = FileNames.Select(n => Path.Combine(directory, n)).ToArray();

        var price = new Plot();
        var band = price.Add.FillY(time, data.PoolLow.ToArray(), data.PoolHigh.ToArray());
        band.FillColor = Colors.SteelBlue.WithAlpha(0.2);
        band.LineColor = Colors.SteelBlue.WithAlpha(0.4);
        band.LegendText = "managed range [low, high]";
        Line(price, time, data.PoolCentre, "managed pool price", Colors.SteelBlue);
        Line(price, time, data.ReferencePrice, "reference price", Colors.Black);
        Finish(price, $"{data.Title}: reference price and the managed pool", data.TimeLabel, "quote per base", paths[0]);

        var inventory = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < data.Inventory.Count; i++)
            Line(inventory, time, data.Inventory[i].Values, data.Inventory[i].Name, palette.GetColor(i));
        Finish(inventory, $"{data.Title}: base inventory in the pool", data.TimeLabel, "base", paths[1]);

        var pnl = new Plot();
        for (var i = 0; i < data.CumulativePnl.Count; i++)
            Line(pnl, time, data.CumulativePnl[i].Values, data.CumulativePnl[i].Name, palette.GetColor(i));
        pnl.Add.HorizontalLine(0, 1, Colors.Gray, LinePattern.Dashed);
        Finish(pnl, $"{data.Title}: cumulative PnL against hold", data.TimeLabel, "quote", paths[2]);
        return paths;
    }

    private static void Line(Plot plot, double[] time, IReadOnlyList<double> values, string label, Color color)
    {
        var line = plot.Add.ScatterLine(time, values.ToArray());
        line.LegendText = label;
        line.Color = color;
        line.LineWidth = 1.5f;
    }

    private static void Finish(Plot plot, string title, string x, string y, string path)
    {
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, Width, Height);
    }
}
