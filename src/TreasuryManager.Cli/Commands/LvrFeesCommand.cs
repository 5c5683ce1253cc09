using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TreasuryManager.Simulation.Reproduction;

namespace TreasuryManager.Cli.Commands;

/// <summary>
/// `treasury reproduce lvr-fees [--blocks N] [--seed S] [--json]`: Nezlobin &amp; Tassy (2025): the ratio of the
/// arbitrage loss with a fee to the loss without it, on the simulator's own full-range pool and arbitrageur at
/// constant block times, against 1/(1 + 0.8582·γ/σ_b), for γ/σ_b = 0.25, 0.5, 1, 2, 4.
/// </summary>
public static class LvrFeesCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var blocks = new Option<int>("--blocks") { Description = "Blocks simulated per fee level (the same blocks for every level).", DefaultValueFactory = _ => 400_000 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the experiment.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var command = new Command("lvr-fees", "Nezlobin & Tassy (2025): arbitrage loss with a fee over the loss without, at constant block times, against 1/(1 + 0.8582·γ/σ_b).")
        {
            blocks, seed, json,
        };
        command.SetAction(parse =>
        {
            var n = parse.GetValue(blocks);
            if (n < 1000)
            {
                stderr.WriteLine($"error: --blocks must be at least 1000 (got {n.ToString(CultureInfo.InvariantCulture)})");
                return TreasuryCli.BadInput;
            }
            var rows = LvrFeesExperiment.Run(n, parse.GetValue(seed));
            stdout.Write(parse.GetValue(json) ? ToJson(rows) : ToTable(rows, n, parse.GetValue(seed)));
            return 0;
        });
        return command;
    }

    internal static string ToJson(IReadOnlyList<LvrFeesRow> rows)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("rows");
            foreach (var r in rows)
            {
                w.WriteStartObject();
                w.WriteNumber("gamma_over_sigma_b", r.GammaOverSigmaB);
                w.WriteNumber("measured_ratio", r.MeasuredRatio);
                w.WriteNumber("formula_ratio", r.FormulaRatio);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + Environment.NewLine;
    }

    internal static string ToTable(IReadOnlyList<LvrFeesRow> rows, int blocks, ulong seed)
    {
        var ic = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(ic, $"Nezlobin & Tassy (2025): arbitrage loss with fee / without, full-range pool, constant blocks, σ_b = 0.002, no gas; {blocks} blocks, seed {seed}");
        sb.AppendLine("γ = the AMM spread, −2·ln(1 − fee) (the no-arbitrage band's log width); loss = the arbitrageur's profit (the pool's loss net of the fees it received)");
        sb.AppendLine(ic, $"{"γ/σ_b",7}{"fee pips",10}{"measured",10}{"± s.e.",9}{"formula",9}{"diff",8}{"trades",9}");
        foreach (var r in rows)
            sb.AppendLine(ic, $"{r.GammaOverSigmaB,7}{r.FeePips,10}{r.MeasuredRatio,10:F4}{r.StandardError,9:F4}{r.FormulaRatio,9:F4}{(r.MeasuredRatio / r.FormulaRatio - 1) * 100,7:+0.0;-0.0}%{r.ArbitrageTrades,9}");
        return sb.ToString();
    }
}
