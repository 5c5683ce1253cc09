using System.Numerics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using TreasuryManager.Models.Curve;
using TreasuryManager.Models.UniswapV3;

namespace TreasuryManager.Benchmarks;

/// <summary>
/// The exact Uniswap v3 pool model's swap (<see cref="UniswapV3PoolModel.Swap"/>, BigInteger, immutable state): a 0.3%
/// pool at price 1 with 40 positions of staggered ranges (80 initialised ticks, 120 apart, within ±4,800), swaps alternating
/// direction, exact input. "inside a range": amounts small enough to cross no tick; "crossing ticks": amounts that
/// move the price across several initialised ticks and back. Each figure is per swap (<see cref="SwapsPerInvoke"/> a call).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class UniswapV3SwapBenchmarks
{
    public const int SwapsPerInvoke = 256;

    private UniswapV3PoolModel _pool = null!;
    private BigInteger[] _small = null!;
    private BigInteger[] _large = null!;

    [GlobalSetup]
    public void Setup()
    {
        var e18 = BigInteger.Pow(10, 18);
        var pool = UniswapV3PoolModel.Initialize(FeeTier.Medium, Uint.Q96 * 1003 / 1000);
        for (var i = 1; i <= 40; i++)
            pool = pool.Mint(new PositionKey("lp", -120 * i, 120 * i), e18 * 100).Pool;
        _pool = pool;
        var rng = new Random(20261203);
        _small = new BigInteger[SwapsPerInvoke];
        _large = new BigInteger[SwapsPerInvoke];
        for (var i = 0; i < SwapsPerInvoke; i += 2)
        {
            var small = new BigInteger(rng.NextDouble() * 1e18 + 1e15);
            var large = new BigInteger(rng.NextDouble() * 1.2e20 + 3e19);
            (_small[i], _small[i + 1]) = (small, small);
            (_large[i], _large[i + 1]) = (large, large);
        }

        // The figures mean what they say: the small swaps cross no tick, the large ones cross several.
        var (inside, crossed) = (Crossings(_small), Crossings(_large));
        if (inside != 0) throw new InvalidOperationException($"the small swaps crossed {inside} ticks");
        if (crossed < SwapsPerInvoke) throw new InvalidOperationException($"the large swaps crossed only {crossed} ticks");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = SwapsPerInvoke, Description = "v3 model swap, inside a range")]
    public UniswapV3PoolModel InsideARange() => Run(_small);

    [Benchmark(OperationsPerInvoke = SwapsPerInvoke, Description = "v3 model swap, crossing ticks")]
    public UniswapV3PoolModel CrossingTicks() => Run(_large);

    private UniswapV3PoolModel Run(BigInteger[] amounts)
    {
        var pool = _pool;
        for (var i = 0; i < amounts.Length; i++)
        {
            var zeroForOne = (i & 1) == 0;
            pool = pool.Swap(zeroForOne, amounts[i], zeroForOne ? TickMath.MinSqrtRatio + 1 : TickMath.MaxSqrtRatio - 1).Pool;
        }

        return pool;
    }

    private int Crossings(BigInteger[] amounts)
    {
        var pool = _pool;
        var crossed = 0;
        for (var i = 0; i < amounts.Length; i++)
        {
            var zeroForOne = (i & 1) == 0;
            var next = pool.Swap(zeroForOne, amounts[i], zeroForOne ? TickMath.MinSqrtRatio + 1 : TickMath.MaxSqrtRatio - 1).Pool;
            var (lo, hi) = (Math.Min(pool.Tick, next.Tick), Math.Max(pool.Tick, next.Tick));
            crossed += pool.InitializedTicks.Count(t => t > lo && t <= hi);
            pool = next;
        }

        return crossed;
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new SwapBenchmarks.SwapsPerSecondColumn());
    }
}
