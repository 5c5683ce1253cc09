using System.Globalization;
using System.Numerics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Benchmarks;

/// <summary>
/// The pool's swap math for in-memory backtests: <see cref="PoolSwap"/> (BigInteger) against
/// <see cref="FastPoolSwap"/> (UInt256) on the same sequence of <see cref="SwapsPerInvoke"/> swaps alternating
/// direction (token0 in, then token1 of about the same value in), so the price moves back and forth inside the range.
/// Each figure is per swap; the Swaps/s column is its reciprocal. Target (simulator issue): ≥ 2,000,000 swaps/s
/// on one core with the UInt256 path.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class SwapBenchmarks
{
    public const int SwapsPerInvoke = 1024;

    private PoolState _initial = null!;
    private FastPoolState _initialFast;
    private BigInteger[] _amounts = null!;
    private UInt256[] _amounts256 = null!;

    [GlobalSetup]
    public void Setup()
    {
        // 18-decimal tokens, price 2000 token1 per token0, 1000 token0 + 2,000,000 token1, range [1500, ~2600], 0.3%.
        var e18 = BigInteger.Pow(10, 18);
        var sqrtP = Uint.SqrtPriceX96FromPrice(2000);
        var empty = new PoolState(sqrtP, 0, 0, 1_000 * e18, 2_000_000 * e18, 3000, 0);
        _initial = PoolSwap.Reposition(empty, sqrtP, Uint.SqrtPriceX96FromPrice(1500), 3000);
        _initialFast = FastPoolState.FromPoolState(_initial);

        // Even swaps: 0.01..1 token0 in (price down); odd: the same value of token1 in (price back up).
        var rng = new Random(20261124);
        _amounts = new BigInteger[SwapsPerInvoke];
        for (var i = 0; i < SwapsPerInvoke; i += 2)
        {
            var token0 = new BigInteger(rng.NextDouble() * 0.99e18 + 0.01e18);
            _amounts[i] = token0;
            _amounts[i + 1] = token0 * 2000;
        }

        _amounts256 = Array.ConvertAll(_amounts, UInt256.FromBigInteger);

        // Both paths must end in the same state (they are bit-exact), strictly inside the range.
        var slow = BigIntegerPoolSwap();
        var fast = FastPoolSwapUInt256();
        if (fast.ToPoolState() != slow) throw new InvalidOperationException("FastPoolSwap diverged from PoolSwap");
        if (slow.SqrtPriceX96 <= slow.SqrtPriceLowX96 || slow.SqrtPriceX96 >= slow.SqrtPriceHighX96)
            throw new InvalidOperationException("the swap sequence reached a range edge");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = SwapsPerInvoke, Description = "PoolSwap (BigInteger)")]
    public PoolState BigIntegerPoolSwap()
    {
        var state = _initial;
        var amounts = _amounts;
        for (var i = 0; i < amounts.Length; i++) state = PoolSwap.Swap(state, (i & 1) == 0, amounts[i]).State;
        return state;
    }

    [Benchmark(OperationsPerInvoke = SwapsPerInvoke, Description = "FastPoolSwap (UInt256)")]
    public FastPoolState FastPoolSwapUInt256()
    {
        var state = _initialFast;
        var amounts = _amounts256;
        for (var i = 0; i < amounts.Length; i++) FastPoolSwap.Swap(ref state, (i & 1) == 0, amounts[i]);
        return state;
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new SwapsPerSecondColumn());
    }

    /// <summary>Swaps per second = 1 / (mean time per swap).</summary>
    internal sealed class SwapsPerSecondColumn : IColumn
    {
        public string Id => nameof(SwapsPerSecondColumn);
        public string ColumnName => "Swaps/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Swaps per second on one core (1 / mean time per swap)";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var stats = summary[benchmarkCase]?.ResultStatistics;
            return stats is null || stats.Mean <= 0 ? "NA" : (1e9 / stats.Mean).ToString("N0", CultureInfo.InvariantCulture);
        }

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
