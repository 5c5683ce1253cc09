using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TreasuryManager.Simulation;

/// <summary>The backtest's outputs: the one JSON object of <c>--json</c>, the markdown report, the CSV time series of the first path.</summary>
public static class BacktestReport
{
    private static readonly CultureInfo Ic = CultureInfo.InvariantCulture;

    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    public static string Json(BacktestResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("scenario", r.Scenario.Name);
            w.WriteNumber("paths", r.Paths);
            w.WriteNumber("seed", r.Seed);
            if (r.Reference is { } reference)
            {
                w.WriteStartObject("reference");
                w.WriteNumber("interval_seconds", reference.IntervalSeconds);
                w.WriteNumber("prices", reference.Prices);
                WriteNumberOrNull(w, "variance_ratio_1d", reference.VarianceRatioDay);
                WriteNumberOrNull(w, "variance_ratio_1w", reference.VarianceRatioWeek);
                WriteNumberOrNull(w, "variance_ratio_1w_first_half", reference.VarianceRatioWeekFirstHalf);
                WriteNumberOrNull(w, "variance_ratio_1w_second_half", reference.VarianceRatioWeekSecondHalf);
                w.WriteEndObject();
            }
            w.WriteStartArray("strategies");
            foreach (var s in r.Strategies)
            {
                w.WriteStartObject();
                w.WriteString("name", s.Name);
                w.WriteNumber("pnl_vs_hold_mean", s.PnlVsHoldMean);
                w.WriteNumber("pnl_vs_hold_std", s.PnlVsHoldStd);
                w.WriteNumber("sharpe", s.Sharpe);
                w.WriteNumber("fees", s.Fees);
                w.WriteNumber("lvr", s.Lvr);
                w.WriteNumber("gas_spent", s.GasSpent);
                w.WriteNumber("rebalances", s.Rebalances);
                w.WriteNumber("max_drawdown", s.MaxDrawdown);
                w.WriteNumber("inventory_variance", s.InventoryVariance);
                w.WriteNumber("markout_noise", s.NoiseMarkout);
                w.WriteNumber("markout_informed", s.InformedMarkout);
                w.WriteNumber("markout_arbitrage", s.ArbitrageMarkout);
                if (s.Hedge is { } h)
                {
                    w.WriteStartObject("hedge");
                    w.WriteNumber("trades", h.Trades);
                    w.WriteNumber("liquidations", h.Liquidations);
                    w.WriteNumber("funding_paid", h.FundingPaid);
                    w.WriteNumber("perp_fees", h.Fees);
                    w.WriteNumber("perp_pnl", h.PerpPnl);
                    w.WriteEndObject();
                }
                var d = s.Decomposition;
                w.WriteStartObject("decomposition");
                w.WriteNumber("fees", d.Fees);
                w.WriteNumber("arbitrage_loss", d.ArbitrageLoss);
                w.WriteNumber("informed_loss", d.InformedLoss);
                w.WriteNumber("noise_impact", d.NoiseImpact);
                w.WriteNumber("inventory", d.Inventory);
                w.WriteNumber("gas", d.Gas);
                w.WriteNumber("hedge_gas", d.HedgeGas);
                w.WriteNumber("hedge_pnl", d.HedgePnl);
                w.WriteNumber("total", d.Total);
                w.WriteEndObject();
                if (s.Routing is { } rt)
                {
                    w.WriteStartObject("routing");
                    w.WriteNumber("noise_to_pool", rt.ToPool);
                    w.WriteNumber("noise_to_venue", rt.ToVenue);
                    w.WriteNumber("noise_captive", rt.Captive);
                    w.WriteNumber("venue_volume", rt.VenueVolume);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The table's rows (numbers rounded for reading).</summary>
    /// <param name="compact">Amounts in thousands ("-495.4k"), for a terminal.</param>
    public static IEnumerable<string[]> Rows(BacktestResult r, bool compact = false)
    {
        ArgumentNullException.ThrowIfNull(r);
        Func<double, string> n = compact ? K : N;
        foreach (var s in r.Strategies)
            yield return
            [
                s.Name, n(s.PnlVsHoldMean), n(s.PnlVsHoldStd), s.Sharpe.ToString(compact ? "0.00" : "0.000", Ic), n(s.Fees), n(s.Lvr), n(s.GasSpent),
                s.Rebalances.ToString(compact ? "0" : "0.0", Ic), n(s.MaxDrawdown), n(Math.Sqrt(s.InventoryVariance)),
            ];
    }

    private static string K(double v) => v == 0 ? "0" : (v / 1000).ToString("0.0", Ic) + "k";

    public static readonly string[] Header = ["strategy", "PnL vs hold (mean)", "std", "Sharpe", "fees", "LVR", "gas", "rebalances", "max drawdown", "inventory sd"];

    /// <summary>What a real price file's own prices say of its market (the CLI's table and report.md print the same line).</summary>
    public static string ReferenceLine(ReferenceStatistics reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        static string Ratio(double? value) => value is { } v ? v.ToString("0.00", Ic) : "n/a (the file is shorter)";
        var halves = reference is { VarianceRatioWeekFirstHalf: { } a, VarianceRatioWeekSecondHalf: { } b }
            ? $" ({a.ToString("0.00", Ic)} in the first half, {b.ToString("0.00", Ic)} in the second)" : "";
        return $"the file's prices: variance ratio {Ratio(reference.VarianceRatioDay)} over a day, {Ratio(reference.VarianceRatioWeek)} over a week{halves} (1 for a random walk; below 1 the price mean-reverts, above it trends)";
    }

    /// <summary>The same columns, short enough for an 80-column terminal.</summary>
    public static readonly string[] ShortHeader = ["strategy", "PnL-hold", "std", "Sharpe", "fees", "LVR", "gas", "rebal", "maxDD", "inv.sd"];

    public static string Markdown(BacktestResult r, string command)
    {
        ArgumentNullException.ThrowIfNull(r);
        var sb = new StringBuilder();
        var s = r.Scenario;
        sb.AppendLine(Ic, $"# Backtest: {s.Name}");
        sb.AppendLine();
        sb.AppendLine(Ic, $"{s.Description}");
        sb.AppendLine();
        sb.AppendLine(Ic, $"{r.Paths} paths, seed {r.Seed}, {s.Steps} steps of {s.StepSeconds} s ({s.Days:0.##} days); {r.SwapsSimulated:N0} swaps simulated.");
        sb.AppendLine();
        sb.AppendLine(Ic, $"    {command}");
        sb.AppendLine();
        if (r.Reference is { } reference)
        {
            var line = ReferenceLine(reference);
            sb.AppendLine(char.ToUpperInvariant(line[0]) + line[1..] + ".");
            sb.AppendLine();
        }
        sb.AppendLine("All figures in the quote token, means across paths. PnL vs hold: final value of the strategy's tokens at the reference price minus its gas, minus the value of the starting tokens held. Sharpe: mean/std of PnL vs hold across paths. LVR: Σ over swaps of (output − input net of fee) at the reference price. Inventory sd: standard deviation over time of the base inventory above the 50% target, in quote.");
        sb.AppendLine();
        sb.AppendLine("| " + string.Join(" | ", Header) + " |");
        sb.AppendLine("|" + string.Concat(Enumerable.Repeat("---|", Header.Length)));
        foreach (var row in Rows(r)) sb.AppendLine("| " + string.Join(" | ", row) + " |");
        sb.AppendLine();
        sb.AppendLine("Markouts of the pools (Σ input − output at the reference `informed.horizon_steps` later; negative = the pool lost to that flow):");
        sb.AppendLine();
        sb.AppendLine("| strategy | noise | arbitrageur | informed |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var x in r.Strategies) sb.AppendLine(Ic, $"| {x.Name} | {N(x.NoiseMarkout)} | {N(x.ArbitrageMarkout)} | {N(x.InformedMarkout)} |");
        sb.AppendLine();
        if (r.Strategies.Any(x => x.Hedge is not null))
        {
            sb.AppendLine("The perp hedge (means per path; PnL vs hold and max drawdown above include the perp's PnL, funding, fees and the hedge's gas). Funding paid: negative = received; perp PnL: equity minus the net margin deposited (funding and fees in, gas out):");
            sb.AppendLine();
            sb.AppendLine("| strategy | hedge trades | liquidations | funding paid | perp fees | perp PnL |");
            sb.AppendLine("|---|---|---|---|---|---|");
            foreach (var x in r.Strategies)
                if (x.Hedge is { } h)
                    sb.AppendLine(Ic, $"| {x.Name} | {h.Trades:0.0} | {h.Liquidations:0.##} | {N(h.FundingPaid)} | {N(h.Fees)} | {N(h.PerpPnl)} |");
            sb.AppendLine();
        }
        sb.AppendLine("PnL vs hold taken apart (means per path): fees − arbitrage loss − informed loss + noise impact + inventory − gas − hedge gas + hedge PnL; the loss columns are the LVR of each trader class's swaps, inventory the price exposure of holding other inventory than hold:");
        sb.AppendLine();
        sb.AppendLine("| strategy | fees | arbitrage loss | informed loss | noise impact | inventory | gas | hedge gas | hedge PnL | total |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var x in r.Strategies)
        {
            var d = x.Decomposition;
            sb.AppendLine(Ic, $"| {x.Name} | {N(d.Fees)} | {N(d.ArbitrageLoss)} | {N(d.InformedLoss)} | {N(d.NoiseImpact)} | {N(d.Inventory)} | {N(d.Gas)} | {N(d.HedgeGas)} | {N(d.HedgePnl)} | {N(d.Total)} |");
        }
        sb.AppendLine();
        if (r.Strategies.Any(x => x.Routing is not null))
        {
            sb.AppendLine("Noise orders per path (outside venue): routed to the pool by cost, to the venue, captive (filled by the pool), and the venue's quote volume:");
            sb.AppendLine();
            sb.AppendLine("| strategy | to pool | to venue | captive | venue volume |");
            sb.AppendLine("|---|---|---|---|---|");
            foreach (var x in r.Strategies)
                if (x.Routing is { } rt)
                    sb.AppendLine(Ic, $"| {x.Name} | {rt.ToPool:0.#} | {rt.ToVenue:0.#} | {rt.Captive:0.#} | {N(rt.VenueVolume)} |");
            sb.AppendLine();
        }
        foreach (var x in r.Strategies.Where(x => x.DecisionsPerPath.Count > 0))
        {
            sb.AppendLine($"Decisions of {x.Name} per path (keeper cycles): " + string.Join(", ", x.DecisionsPerPath.Select(kv => $"{kv.Key} {kv.Value.ToString("0.#", Ic)}")));
            sb.AppendLine();
        }
        sb.AppendLine("Time series of the first path: `series.csv` (reference and oracle price, gas; per strategy its main pool's centre/low/high and fee, its inventory, its cumulative PnL vs hold).");
        return sb.ToString();
    }

    public static string Csv(BacktestResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var sb = new StringBuilder();
        sb.Append("step,days,reference,oracle,gas_gwei");
        foreach (var s in r.Strategies)
            foreach (var c in new[] { "centre", "low", "high", "fee_pips", "base", "quote", "pnl_vs_hold" })
                sb.Append(Ic, $",{s.Name}_{c}");
        sb.AppendLine();
        foreach (var p in r.Series)
        {
            sb.Append(Ic, $"{p.Step},{p.Days:R},{p.Reference:R},{p.Oracle:R},{p.GasGwei:R}");
            foreach (var s in p.Strategies)
                sb.Append(Ic, $",{D(s.Centre)},{D(s.Low)},{D(s.High)},{s.FeePips},{D(s.Base)},{D(s.Quote)},{D(s.PnlVsHold)}");
            sb.AppendLine();
        }
        return sb.ToString();
    }

    private static string N(double v) => v.ToString("N0", Ic);
    private static string D(double v) => double.IsNaN(v) ? "" : v.ToString("R", Ic);
}
