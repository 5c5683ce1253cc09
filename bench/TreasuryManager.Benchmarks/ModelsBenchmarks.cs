using System.Numerics;
using BenchmarkDotNet.Attributes;
using TreasuryManager.Models.Curve;
using TreasuryManager.Models.Estimators;
using TreasuryManager.Models.Inventory;
using TreasuryManager.Models.Reproduction;

namespace TreasuryManager.Benchmarks;

/// <summary>
/// One keeper decision step (estimator updates, GLFT quotes, curve fit) and the Avellaneda–Stoikov
/// table. Targets (issue 4): decision step ≤ 5 µs; the table ≤ 100 ms on one core.
/// </summary>
[MemoryDiagnoser]
public class ModelsBenchmarks
{
    private EwmaVolatility _ewma = null!;
    private RealisedVariance _realised = null!;
    private MarkoutToxicity _markouts = null!;
    private Vpin _vpin = null!;
    private double _time;
    private double _price;
    private double _cumLog;
    private double _cumSq;
    private BigInteger _e18;

    [GlobalSetup]
    public void Setup()
    {
        _ewma = new EwmaVolatility(3600, 10);
        _realised = new RealisedVariance(86_400, 3600);
        _markouts = new MarkoutToxicity(60, 200, 20);
        _vpin = new Vpin(1000, 50);
        _time = 0;
        _price = 100;
        _e18 = BigInteger.Pow(10, 18);
        // Warm the estimators so they are ready, as in a running keeper.
        for (var i = 0; i < 5000; i++) Observe();
    }

    private void Observe()
    {
        _time += 12;
        var r = 0.001 * Math.Sin(_time * 0.37);
        var logBefore = Math.Log(_price);
        _price *= Math.Exp(r);
        _cumLog += logBefore * 12;
        _cumSq += r * r;
        _ewma.Update(_time, _price);
        _realised.Add(new PoolObservation(_time, _cumLog, _cumSq));
        _markouts.AddTrade(_time, _price, r > 0 ? 3 : -2);
        _markouts.OnPrice(_time, _price);
        _vpin.AddTrade(r > 0 ? 150 : -120);
    }

    /// <summary>Estimator updates + GLFT quotes + target curve (real numbers).</summary>
    [Benchmark]
    public TargetCurve DecisionStep()
    {
        Observe();
        var sigma = _realised.Volatility ?? _ewma.Volatility ?? 1e-4;
        return QuotesToCurve.Target(new CurveInputs(
            BaseAmount: 1200, QuoteAmount: 100_000, OraclePrice: _price, Volatility: sigma,
            IntensityA: 0.05, IntensityK: 400, RiskAversion: 1e-4, Horizon: 3600, LotSize: 10));
    }

    /// <summary>The same, plus the fixed-point reposition fit the contract will check.</summary>
    [Benchmark]
    public FixedPointFit DecisionStepWithFixedPointFit()
    {
        var target = DecisionStep();
        return RepositionFit.FromTarget(target, 1200 * _e18, 100_000 * _e18, 18, 18);
    }

    [Benchmark]
    public InventoryQuotes GlftQuotes() => new Glft(1e-4, 0.01 * 1000, 0.05, 400.0 / 1000).Approximate(1000, 3);

    [Benchmark]
    public SwapStep FixedPointSwapStep() =>
        SwapMath.ComputeSwapStep(Uint.Q96, Uint.Q96 * 101 / 100, 2 * _e18, _e18, 3000);

    [Benchmark]
    public object AvellanedaStoikovTableSingleThreaded() =>
        AvellanedaStoikovExperiment.Run(new AvellanedaStoikovSettings(), AvellanedaStoikovExperiment.PaperGammas, 1, parallel: false);

    [Benchmark]
    public object AvellanedaStoikovTableParallel() =>
        AvellanedaStoikovExperiment.Run(new AvellanedaStoikovSettings(), AvellanedaStoikovExperiment.PaperGammas, 1, parallel: true);
}
