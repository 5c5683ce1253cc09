using System.Diagnostics;
using System.Numerics;
using CsPoolState = TreasuryManager.Models.Curve.PoolState;
using LogMath = TreasuryManager.Models.Curve.LogMath;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Models.Curve;
using TreasuryManager.Testing;
using Xunit.Abstractions;

namespace TreasuryManager.Contracts.Tests.Differential;

/// <summary>
/// ManagedPool itself against the C# pool model (PoolSwap, LiquidityFit, ObservationMath): for pools with 6..18
/// decimals, prices from 1e-12 to 1e15 raw and ranges from ±0.1% to ×4, quoteExactIn and previewReposition for seeded
/// random inputs (0 and 1 wei, amounts past the range edge, past uint128, bounds at and beyond the price limits)
/// equal the C# results bit for bit; real swaps emit exactly the C# quote, leave exactly the C# state and write
/// exactly the C# observation.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class PoolDifferentialTests(LocalNodeFixture node, ITestOutputHelper output) : NodeTest(node)
{
    private static readonly DeploymentSettings[] Pools =
    [
        new() { TraderBase = 1_000_000m, TraderQuote = 2_000_000m },
        new() { BaseDecimals = 6, QuoteDecimals = 18, Price = 1500m, PriceLow = 1000m, PriceHigh = 2500m, FeePips = 500, DepositBase = 100m, DepositQuote = 150_000m, TraderBase = 1_000m, TraderQuote = 1_500_000m },
        new() { BaseDecimals = 8, QuoteDecimals = 8, Price = 0.05m, PriceLow = 0.01m, PriceHigh = 0.2m, FeePips = 10_000, DepositBase = 1_000_000m, DepositQuote = 10_000m, TraderBase = 10_000_000m, TraderQuote = 100_000m },
        new() { BaseDecimals = 18, QuoteDecimals = 18, Price = 1m, PriceLow = 0.999m, PriceHigh = 1.001m, FeePips = 100, DepositBase = 1_000_000m, DepositQuote = 1_000_000m, TraderBase = 10_000_000m, TraderQuote = 10_000_000m },
        new() { BaseDecimals = 6, QuoteDecimals = 6, Price = 30_000m, PriceLow = 29_000m, PriceHigh = 120_000m, FeePips = 0, DepositBase = 10m, DepositQuote = 10_000m, TraderBase = 1_000m, TraderQuote = 10_000_000m },
    ];

    private const int Rounds = 3;
    private const int QuotesPerRound = 130;
    private const int PreviewsPerRound = 45;
    private const int SwapsPerRound = 6;

    [Fact]
    public async Task Quotes_previews_and_swaps_equal_the_CSharp_pool_model()
    {
        var seed = SeededRandom.SeedFor(12_001);
        var r = new SeededRandom(seed);
        var clock = Stopwatch.StartNew();
        var cases = 0;
        var swaps = 0;
        for (var p = 0; p < Pools.Length; p++)
        {
            var settings = Pools[p];
            var d = await TreasuryDeployment.DeployAsync(Node, settings);
            var trader0 = d.BaseUnits(settings.TraderBase);
            var trader1 = d.QuoteUnits(settings.TraderQuote);
            var chain = await d.Pool.GetStateAsync();
            var state = PoolMirror.ToModel(chain);
            PoolMirror.AssertEqual(state, chain, $"pool {p} after deployment");
            var observation = await PoolMirror.NewestObservationAsync(d.Pool);
            Assert.Equal(LogMath.LogPrice(state.SqrtPriceX96), await d.Pool.CurrentLogPriceAsync());

            for (var round = 0; round < Rounds; round++)
            {
                var label = $"pool {p} ({settings.BaseDecimals}/{settings.QuoteDecimals} decimals, fee {settings.FeePips}) round {round}";
                var batch = new List<DiffCase>();
                for (var i = 0; i < QuotesPerRound; i++)
                {
                    var zeroForOne = r.Bool();
                    var amount = QuoteAmount(r, zeroForOne ? state.Reserve0 : state.Reserve1, zeroForOne ? state.Reserve1 : state.Reserve0);
                    var s = state;
                    batch.Add(new DiffCase("quoteExactIn(bool,uint256)", [zeroForOne, amount], () => PoolMirror.Quote(s, zeroForOne, amount)));
                }

                for (var i = 0; i < PreviewsPerRound; i++)
                {
                    var (centre, bound) = Reposition(r, state);
                    var s = state;
                    batch.Add(new DiffCase("previewReposition(uint160,uint160)", [centre, bound], () => PoolMirror.Preview(s, centre, bound)));
                }

                var st = state;
                batch.Add(new DiffCase("liquidity()", [], () => Outcome.Ok(st.Liquidity)));
                batch.Add(new DiffCase("currentLogPrice()", [], () => Outcome.Ok(LogMath.LogPrice(st.SqrtPriceX96))));
                cases += await DifferentialRun.CompareAsync(Node.Rpc, d.Pool.Address, ManagedPool.Abi, seed, batch, output, label);

                for (var i = 0; i < SwapsPerRound; i++)
                {
                    var zeroForOne = r.Bool();
                    var balance = zeroForOne ? trader0 : trader1;
                    var reserveIn = zeroForOne ? state.Reserve0 : state.Reserve1;
                    var amount = r.Int(0, 6) switch
                    {
                        0 => BigInteger.One,
                        1 => BigInteger.Min(balance, reserveIn * 3), // past the range edge: stops there
                        _ => BigInteger.Max(BigInteger.One, r.Below(BigInteger.Min(balance, reserveIn / 4))),
                    };
                    (CsPoolState, PoolQuote)? expected;
                    try { expected = PoolSwap.Swap(state, zeroForOne, amount); }
                    catch (CurveMathException e)
                    {
                        // The real swap fails with the same error.
                        var error = await Assert.ThrowsAsync<ContractRevertException>(() => d.SwapAsync(zeroForOne, amount));
                        Assert.Equal(e.Reason, error.ErrorName);
                        continue;
                    }

                    var (next, quote) = expected.Value;
                    var quoted = await d.Pool.QuoteExactInAsync(zeroForOne, amount);
                    Assert.Equal(quote, new PoolQuote(quoted.AmountInUsed, quoted.AmountOut, quoted.FeeAmount, quoted.SqrtPriceAfterX96));
                    var receipt = await d.SwapAsync(zeroForOne, amount);
                    var ev = Assert.Single(ManagedPool.SwapEvents(receipt));
                    var context = $"{label} swap {i} ({(zeroForOne ? "0→1" : "1→0")} {amount}; seed {seed})";
                    Assert.True(quote == new PoolQuote(ev.AmountIn, ev.AmountOut, ev.FeeAmount, ev.SqrtPriceX96),
                        $"{context}: Swap event ({ev.AmountIn}, {ev.AmountOut}, {ev.FeeAmount}, {ev.SqrtPriceX96}) differs from the C# quote {quote}");
                    observation = ObservationMath.Write(observation, await PoolMirror.BlockTimestampAsync(d, receipt), state.SqrtPriceX96);
                    state = next;
                    PoolMirror.AssertEqual(state, await d.Pool.GetStateAsync(), context);
                    Assert.Equal(observation, await PoolMirror.NewestObservationAsync(d.Pool));
                    if (zeroForOne) { trader0 -= quote.AmountInUsed; trader1 += quote.AmountOut; }
                    else { trader1 -= quote.AmountInUsed; trader0 += quote.AmountOut; }
                    swaps++;
                }
            }
        }

        output.WriteLine($"{cases} pool-level cases and {swaps} real swaps on {Pools.Length} pools in {clock.ElapsedMilliseconds} ms (seed {seed})");
        Assert.True(swaps >= Pools.Length * Rounds * SwapsPerRound / 2, $"only {swaps} swaps went through");
    }

    /// <summary>An input amount: 0, 1 wei, tiny to huge relative to the reserves, past the range, past uint128.</summary>
    private static BigInteger QuoteAmount(SeededRandom r, BigInteger reserveIn, BigInteger reserveOut) => r.Int(0, 20) switch
    {
        0 => BigInteger.Zero,
        1 => BigInteger.One,
        2 => 2,
        3 => Uint.Max128,
        4 => Uint.Max128 + 1,
        5 => r.Uint(256),
        6 => reserveIn * 10 + reserveOut, // far past the range edge
        _ => BigInteger.Max(BigInteger.One, r.Bits(0, (int)BigInteger.Max(reserveIn, BigInteger.One).GetBitLength() + 2)),
    };

    /// <summary>A reposition target: a centre near the price (or anywhere, or at the limits) and a bound on either side.</summary>
    private static (BigInteger Centre, BigInteger Bound) Reposition(SeededRandom r, CsPoolState s)
    {
        var centre = r.Int(0, 12) switch
        {
            0 => PoolSwap.MinSqrtPrice,
            1 => PoolSwap.MaxSqrtPrice,
            2 => PoolSwap.MaxSqrtPrice + 1,
            3 => r.Bits(33, 128),
            _ => r.Near(s.SqrtPriceX96, BigInteger.One, PoolSwap.MaxSqrtPrice),
        };
        var bound = r.Int(0, 14) switch
        {
            0 => centre,
            1 => PoolSwap.MinSqrtPrice,
            2 => PoolSwap.MaxSqrtPrice,
            3 => PoolSwap.MinSqrtPrice - 1,
            4 => centre - 1,
            5 => centre + 1,
            _ => r.Bool()
                ? BigInteger.Max(BigInteger.One, centre - r.Below(centre >> r.Int(1, 12)))
                : BigInteger.Min((BigInteger.One << 160) - 1, centre + r.Below(centre >> r.Int(0, 12))),
        };
        return (centre, bound);
    }
}
