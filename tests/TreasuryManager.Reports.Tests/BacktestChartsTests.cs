using SkiaSharp;

namespace TreasuryManager.Reports.Tests;

public sealed class BacktestChartsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tm-charts-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static PathChartData Sample(int n = 200)
    {
        var t = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        var reference = t.Select(x => 2.0 + 0.3 * Math.Sin(x / 20)).ToArray();
        var centre = reference.Select(p => p * 0.995).ToArray();
        return new PathChartData(
            "calm — path 0", "block", t, reference, centre,
            centre.Select(p => p * 0.9).ToArray(), centre.Select(p => p * 1.1).ToArray(),
            [new NamedSeries("managed", t.Select(x => 100_000 + 5_000 * Math.Cos(x / 20)).ToArray()), new NamedSeries("full-range", t.Select(x => 100_000 + 9_000 * Math.Cos(x / 20)).ToArray())],
            [new NamedSeries("managed", t.Select(x => 3 * x).ToArray()), new NamedSeries("full-range", t.Select(x => -x).ToArray())]);
    }

    [Fact]
    public void Writes_three_PNG_charts_of_the_stated_size_with_something_drawn()
    {
        var paths = BacktestCharts.Write(Sample(), _dir);

        Assert.Equal(BacktestCharts.FileNames, paths.Select(p => Path.GetFileName(p)).ToArray());
        foreach (var path in paths)
        {
            using var bitmap = SKBitmap.Decode(path);
            Assert.NotNull(bitmap);
            Assert.Equal(BacktestCharts.Width, bitmap.Width);
            Assert.Equal(BacktestCharts.Height, bitmap.Height);
            // a drawn chart has many colours (lines, legend, fill); a blank or failed render has one or two
            var colours = new HashSet<SKColor>();
            for (var y = 0; y < bitmap.Height; y += 4)
                for (var x = 0; x < bitmap.Width; x += 4)
                    colours.Add(bitmap.GetPixel(x, y));
            Assert.True(colours.Count > 20, $"{Path.GetFileName(path)} has only {colours.Count} colours");
        }
    }

    [Fact]
    public void A_series_of_the_wrong_length_is_named_and_nothing_is_written()
    {
        var bad = Sample() with { PoolHigh = [1.0, 2.0] };

        var e = Assert.Throws<ArgumentException>(() => BacktestCharts.Write(bad, _dir));
        Assert.Contains("PoolHigh", e.Message);
        Assert.Contains("2 points", e.Message);
        Assert.False(Directory.Exists(_dir));
    }
}
