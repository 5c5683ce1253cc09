using TreasuryManager.Models.Inventory;

namespace TreasuryManager.Models.Reproduction;

/// <summary>The paper's simulation settings (Avellaneda and Stoikov 2008, §4; docs/models.md, "The Avellaneda–Stoikov reproduction").</summary>
public sealed record AvellanedaStoikovSettings(
    double S0 = 100,
    double T = 1,
    double Sigma = 2,
    double Dt = 0.005,
    double K = 1.5,
    double A = 140,
    int Paths = 1000)
{
    /// <summary>T/dt, the number of steps (200 in the paper).</summary>
    public int Steps => (int)Math.Round(T / Dt);
}

/// <summary>One row of the paper's table: one γ and one strategy.</summary>
public sealed record AvellanedaStoikovRow(double Gamma, string Strategy, double Spread, double ProfitMean, double ProfitStd, double QMean, double QStd);

/// <summary>
/// Reproduces the experiment of Avellaneda and Stoikov (2008), "High-frequency trading in a limit
/// order book", Quantitative Finance 8(3), §4 (docs/models.md, "The Avellaneda–Stoikov reproduction"): s moves ±σ√dt with probability ½ each
/// step; a quote at distance δ fills one unit with probability A·e^(−kδ)·dt per step; profit is
/// cash + q·s at T. The "inventory" strategy quotes r ± spread/2 with r = s − qγσ²(T − t) and
/// spread γσ²(T − t) + (2/γ)ln(1 + γ/k); the "symmetric" strategy quotes s ± spread/2 with the
/// inventory strategy's average spread (2/γ)ln(1 + γ/k) + γσ²T/2.
/// <para>
/// Both strategies run on the same price path and the same uniforms (common random numbers). Each
/// path has its own PRNG seeded from (seed, path index), so results do not depend on how paths are
/// spread over threads; statistics are reduced in path order, so they are bit-identical serial or
/// parallel.
/// </para>
/// </summary>
public static class AvellanedaStoikovExperiment
{
    public static readonly double[] PaperGammas = [0.1, 0.01, 1.0];

    /// <summary>Runs the table for each γ; two rows per γ (inventory, then symmetric).</summary>
    public static IReadOnlyList<AvellanedaStoikovRow> Run(AvellanedaStoikovSettings settings, IReadOnlyList<double> gammas, ulong seed, bool parallel = true)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(gammas);
        Guard.Positive(settings.Paths);
        Guard.Positive(settings.S0);
        Guard.Positive(settings.T);
        Guard.Positive(settings.Dt);
        var g = gammas.Count;
        var n = settings.Paths;
        var models = gammas.Select(gamma => new AvellanedaStoikov(gamma, settings.Sigma, settings.K, settings.T)).ToArray();
        // Results by (γ index, path): each path writes only its own slots.
        var profitInv = new double[g * n];
        var qInv = new double[g * n];
        var profitSym = new double[g * n];
        var qSym = new double[g * n];
        void Simulate(int item)
        {
            var gi = item / n;
            var p = item % n;
            SimulatePath(settings, models[gi], seed, p, out profitInv[item], out qInv[item], out profitSym[item], out qSym[item]);
        }

        var total = g * n;
        if (parallel && Environment.ProcessorCount > 1)
        {
            // One parallel loop over every (γ, path), in a few contiguous chunks per core.
            var chunks = Math.Min(total, 4 * Environment.ProcessorCount);
            Parallel.For(0, chunks, c =>
            {
                var start = (int)((long)total * c / chunks);
                var end = (int)((long)total * (c + 1) / chunks);
                for (var item = start; item < end; item++) Simulate(item);
            });
        }
        else
        {
            for (var item = 0; item < total; item++) Simulate(item);
        }

        var rows = new List<AvellanedaStoikovRow>(2 * g);
        for (var gi = 0; gi < g; gi++)
        {
            var model = models[gi];
            var slice = new Range(gi * n, (gi + 1) * n);
            rows.Add(new AvellanedaStoikovRow(model.Gamma, "inventory", model.AverageSpread, Mean(profitInv[slice]), Std(profitInv[slice]), Mean(qInv[slice]), Std(qInv[slice])));
            rows.Add(new AvellanedaStoikovRow(model.Gamma, "symmetric", model.AverageSpread, Mean(profitSym[slice]), Std(profitSym[slice]), Mean(qSym[slice]), Std(qSym[slice])));
        }

        return rows;
    }

    /// <summary>One path of both strategies.</summary>
    internal static void SimulatePath(AvellanedaStoikovSettings st, AvellanedaStoikov model, ulong seed, int path,
        out double profitInventory, out double qInventory, out double profitSymmetric, out double qSymmetric)
    {
        var rng = new Xoshiro256(Xoshiro256.Derive(seed, (ulong)path));
        var steps = st.Steps;
        var dt = st.Dt;
        var ds = st.Sigma * Math.Sqrt(dt);
        var adt = st.A * dt;
        var k = st.K;
        var g2 = model.Gamma * st.Sigma * st.Sigma;
        var intensitySpread = model.IntensitySpread;
        var halfSym = 0.5 * model.AverageSpread;
        // Symmetric quotes sit at a fixed distance: their fill probability is a constant.
        var pSym = adt * Math.Exp(-k * halfSym);

        var s = st.S0;
        double cashI = 0, qI = 0, cashS = 0, qS = 0;
        for (var i = 0; i < steps; i++)
        {
            var tau = st.T - i * dt;
            // Inventory strategy: r = s − qγσ²τ, half-spread = (γσ²τ + (2/γ)ln(1 + γ/k))/2.
            var half = 0.5 * (g2 * tau + intensitySpread);
            var r = s - qI * g2 * tau;
            var bidI = r - half;
            var askI = r + half;
            var pBidI = adt * Math.Exp(-k * (s - bidI));
            var pAskI = adt * Math.Exp(-k * (askI - s));

            var uBid = rng.NextDouble();
            var uAsk = rng.NextDouble();
            if (uBid < pBidI) { qI += 1; cashI -= bidI; }
            if (uAsk < pAskI) { qI -= 1; cashI += askI; }
            if (uBid < pSym) { qS += 1; cashS -= s - halfSym; }
            if (uAsk < pSym) { qS -= 1; cashS += s + halfSym; }

            s += (rng.NextUInt64() >> 63) == 0 ? ds : -ds;
        }

        profitInventory = cashI + qI * s;
        qInventory = qI;
        profitSymmetric = cashS + qS * s;
        qSymmetric = qS;
    }

    private static double Mean(double[] x)
    {
        double sum = 0;
        foreach (var v in x) sum += v;
        return sum / x.Length;
    }

    /// <summary>Population standard deviation (two-pass).</summary>
    private static double Std(double[] x)
    {
        var m = Mean(x);
        double sum = 0;
        foreach (var v in x) sum += (v - m) * (v - m);
        return Math.Sqrt(sum / x.Length);
    }
}
