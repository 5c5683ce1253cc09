using TreasuryManager.Models.Curve;
using TreasuryManager.Models.Reproduction;

namespace TreasuryManager.Simulation.Reproduction;

/// <summary>One fee level of the LVR-with-fees experiment: the measured ratio of the arbitrage loss with the fee to
/// the loss without it on the same blocks, its standard error (batch means, delta method), and Nezlobin–Tassy's
/// 1/(1 + 0.8582·γ/σ_b) at the spread actually used (γ = −2·ln(1 − fee), the fee rounded to whole pips).</summary>
public sealed record LvrFeesRow(double GammaOverSigmaB, double MeasuredRatio, double StandardError, double FormulaRatio, int FeePips, int Blocks, int ArbitrageTrades);

/// <summary>
/// Nezlobin &amp; Tassy (2025, arXiv 2505.05113), constant block times: with a full-range constant-product pool,
/// no other flow and no gas, per-block volatility σ_b and fee γ, the arbitrageur's expected profit per block is
/// σ_b²/(2 + √(2π)/|ζ(1/2)|·γ/σ_b) per unit of liquidity, so the ratio of the arbitrage loss with the fee to the
/// loss without it is 1/(1 + 0.8582·γ/σ_b). Measured here on the simulator itself: a full-range
/// <see cref="InMemoryVenue"/> (ManagedPool's exact math), the reference a driftless random walk in log price with
/// N(0, σ_b²) steps, one block per step, and <see cref="Agents.Arbitrage"/> trading every block at zero gas. The
/// arbitrage loss is the pool's loss to the arbitrageur net of the fees it paid (the arbitrageur's profit, Σ output −
/// input at the reference). Every fee level replays the same blocks as the fee-free pool (common random numbers).
/// <para>γ is N&amp;T's <em>AMM spread</em>: the log width of the band [S(1 − f), S/(1 − f)] in which no arbitrage
/// pays, γ = −2·ln(1 − f) ≈ 2f, so the pool's fee is f = 1 − e^(−γ/2). Read as the fee itself, the formula is
/// 10–30% above the measured ratios, and above Milionis et al.'s 1/(1 + √2·f/σ_b) for Poisson blocks (for which
/// constant blocks must do better, as N&amp;T prove); read as the spread it is below it and matches.</para>
/// </summary>
public static class LvrFeesExperiment
{
    public static readonly double[] Ratios = [0.25, 0.5, 1, 2, 4];

    /// <summary>|ζ(1/2)|.</summary>
    private const double ZetaHalf = 1.4603545088095868;

    /// <summary>√(2π) / (2·|ζ(1/2)|) ≈ 0.8582.</summary>
    public static readonly double Constant = Math.Sqrt(2 * Math.PI) / (2 * ZetaHalf);

    public static double Formula(double gammaOverSigmaB) => 1 / (1 + Constant * gammaOverSigmaB);

    /// <param name="blocks">Blocks per fee level (the same blocks for every level).</param>
    /// <param name="sigmaB">Per-block volatility of the log price.</param>
    public static IReadOnlyList<LvrFeesRow> Run(int blocks, ulong seed, double sigmaB = 0.002, IReadOnlyList<double>? ratios = null, int batches = 50)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blocks, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 2);
        var reference = RandomWalk(blocks, sigmaB, seed);
        var baseline = Losses(reference, 0, batches, out _);
        var rows = new List<LvrFeesRow>();
        foreach (var x in ratios ?? Ratios)
        {
            var feePips = (int)Math.Round(-double.ExpM1(-x * sigmaB / 2) * 1e6);
            var gamma = -2 * Math.Log(1 - feePips / 1e6);
            var losses = Losses(reference, feePips, batches, out var trades);
            var (ratio, se) = RatioOfSums(losses, baseline);
            rows.Add(new LvrFeesRow(x, ratio, se, Formula(gamma / sigmaB), feePips, blocks, trades));
        }
        return rows;
    }

    /// <summary>S_t = S_0·exp(σ_b·Σ Z), Z ~ N(0, 1) (a Brownian motion in log price sampled at the blocks).</summary>
    private static double[] RandomWalk(int blocks, double sigmaB, ulong seed)
    {
        var rng = new Xoshiro256(Xoshiro256.Derive(seed, 7));
        var path = new double[blocks + 1];
        var logS = Math.Log(2000.0);
        path[0] = 2000;
        for (var t = 1; t <= blocks; t++)
        {
            logS += sigmaB * rng.NextGaussian();
            path[t] = Math.Exp(logS);
        }
        return path;
    }

    /// <summary>The arbitrage loss (net of fees) per batch of blocks on a full-range pool with this fee.</summary>
    private static double[] Losses(double[] reference, int feePips, int batches, out int trades)
    {
        var blocks = reference.Length - 1;
        var scenario = new Scenario
        {
            Name = "lvr-fees", Steps = blocks, StepSeconds = 12,
            Noise = new NoiseFlow { ArrivalsPerDay = 0 }, Informed = new InformedFlow { ArrivalsPerDay = 0 },
            Pool = new PoolSetup { BaseAmount = 1000, FeePips = feePips },
        };
        var zeros = new double[blocks + 1];
        var path = new MarketPath
        {
            Scenario = scenario, Seed = 0, Reference = reference, GasGwei = zeros,
            OraclePrice = reference, OracleUpdatedAt = new long[blocks + 1], OracleVolatilityAnnual = zeros,
            Noise = [], NoiseStart = new int[blocks + 2], Informed = [], InformedStart = new int[blocks + 2],
        };
        var venue = InMemoryVenue.Empty(Units.SqrtPriceX96(reference[0]), Units.Raw(1000), Units.Raw(1000 * reference[0]), feePips);
        if (!Strategies.FitRange(venue, reference[0], Strategies.FullRangeHalfWidth, feePips, 0)) throw new InvalidOperationException("the full range does not fit");
        var market = new Market(path, [venue]);
        var a = (int)Trader.Arbitrageur;
        var losses = new double[batches];
        var previous = 0.0;
        for (var b = 0; b < batches; b++)
        {
            var end = (int)((long)blocks * (b + 1) / batches);
            for (var t = (int)((long)blocks * b / batches) + 1; t <= end; t++) Agents.Arbitrage(market, venue, t);
            var total = market.LvrBy[a] - market.FeesBy[a];
            losses[b] = total - previous;
            previous = total;
        }
        trades = market.SwapCount[a];
        return losses;
    }

    /// <summary>Σa/Σb and its standard error from the batches (delta method: var(a_i − R·b_i)/(n·b̄²)).</summary>
    private static (double Ratio, double StandardError) RatioOfSums(double[] a, double[] b)
    {
        var n = a.Length;
        var ratio = a.Sum() / b.Sum();
        var bMean = b.Average();
        var residuals = a.Select((v, i) => v - ratio * b[i]).ToArray();
        var mean = residuals.Average();
        var variance = residuals.Sum(r => (r - mean) * (r - mean)) / (n - 1);
        return (ratio, Math.Sqrt(variance / n) / Math.Abs(bMean));
    }
}
