using TreasuryManager.Models.Curve;

namespace TreasuryManager.Simulation.Tests;

/// <summary>
/// The contract a second venue must meet (the on-chain mode's test will be this one with a node behind the venue):
/// the same scenario and seed through another <see cref="IPoolVenue"/> give the same swaps and the same final
/// reserves. Here the other venue is the BigInteger mirror of the pool (<see cref="PoolSwap"/>), an independent
/// implementation of ManagedPool's math.
/// </summary>
public sealed class VenueContractTests
{
    /// <summary>ManagedPool on <see cref="PoolSwap"/> (BigInteger) for everything.</summary>
    private sealed class BigIntegerVenue : IPoolVenue
    {
        private PoolState _pool;
        private FastPoolState _view;
        private readonly List<SwapRecord> _swaps = [];

        public BigIntegerVenue(UInt256 sqrtPriceX96, UInt256 reserve0, UInt256 reserve1, int feePips)
        {
            _pool = new PoolState(sqrtPriceX96, 0, 0, reserve0, reserve1, feePips, 0);
            _view = FastPoolState.FromPoolState(_pool);
        }

        public ref readonly FastPoolState State => ref _view;
        public long LastRepositionTime { get; private set; }
        public IReadOnlyList<SwapRecord>? Swaps => _swaps;

        public FastPoolQuote? Quote(bool zeroForOne, UInt256 amountIn)
        {
            try
            {
                var q = PoolSwap.Quote(_pool, zeroForOne, amountIn);
                return new FastPoolQuote((UInt256)q.AmountInUsed, (UInt256)q.AmountOut, (UInt256)q.FeeAmount, (UInt256)q.SqrtPriceAfterX96);
            }
            catch (CurveMathException)
            {
                return null;
            }
        }

        public bool TrySwap(int step, Trader trader, bool zeroForOne, UInt256 amountIn, out FastPoolQuote quote)
        {
            quote = default;
            try
            {
                var (next, q) = PoolSwap.Swap(_pool, zeroForOne, amountIn);
                _pool = next;
                _view = FastPoolState.FromPoolState(_pool);
                quote = new FastPoolQuote((UInt256)q.AmountInUsed, (UInt256)q.AmountOut, (UInt256)q.FeeAmount, (UInt256)q.SqrtPriceAfterX96);
            }
            catch (CurveMathException)
            {
                return false;
            }
            _swaps.Add(new SwapRecord(step, trader, zeroForOne, amountIn, quote.AmountInUsed, quote.AmountOut, quote.FeeAmount, quote.SqrtPriceAfterX96));
            return true;
        }

        public void Reposition(UInt256 sqrtPriceX96, UInt256 sqrtPriceBoundX96, int feePips, long timestamp)
        {
            _pool = PoolSwap.Reposition(_pool, sqrtPriceX96, sqrtPriceBoundX96, feePips);
            _view = FastPoolState.FromPoolState(_pool);
            LastRepositionTime = timestamp;
        }

        public void SetReserves(UInt256 reserve0, UInt256 reserve1)
        {
            if (_pool.Liquidity.IsZero || (reserve0.IsZero && reserve1.IsZero))
            {
                _pool = _pool with { Reserve0 = reserve0, Reserve1 = reserve1, Liquidity = 0 };
            }
            else
            {
                try
                {
                    _pool = PoolSwap.Sync(_pool, reserve0, reserve1);
                }
                catch (CurveMathException)
                {
                    _pool = _pool with { Reserve0 = reserve0, Reserve1 = reserve1, Liquidity = 0 };
                }
            }
            _view = FastPoolState.FromPoolState(_pool);
        }
    }

    private sealed class Factory<T>(Func<UInt256, UInt256, UInt256, int, bool, T> make) : IVenueFactory where T : IPoolVenue
    {
        public List<IPoolVenue> Made { get; } = [];

        public IPoolVenue Create(UInt256 sqrtPriceX96, UInt256 reserve0, UInt256 reserve1, int feePips, bool recordSwaps = false)
        {
            var v = make(sqrtPriceX96, reserve0, reserve1, feePips, recordSwaps);
            Made.Add(v);
            return v;
        }
    }

    [Theory]
    [InlineData("calm")]
    [InlineData("crash")]
    public void Another_venue_gives_the_same_swaps_and_final_reserves_for_every_strategy(string scenario)
    {
        var s = TestScenarios.Short(scenario, 400);
        var path = MarketPath.Generate(s, Backtest.PathSeed(77, 0));
        var fast = new Factory<IPoolVenue>((p, r0, r1, f, _) => InMemoryVenue.Empty(p, r0, r1, f, recordSwaps: true));
        var big = new Factory<IPoolVenue>((p, r0, r1, f, _) => new BigIntegerVenue(p, r0, r1, f));
        var a = Backtest.RunPath(path, Strategies.Names, venueFactory: fast);
        var b = Backtest.RunPath(path, Strategies.Names, venueFactory: big);

        Assert.Equal(fast.Made.Count, big.Made.Count);
        var swaps = 0;
        for (var i = 0; i < fast.Made.Count; i++)
        {
            Assert.Equal(fast.Made[i].Swaps!, big.Made[i].Swaps!);
            Assert.Equal(fast.Made[i].State, big.Made[i].State);
            swaps += fast.Made[i].Swaps!.Count;
        }
        for (var k = 0; k < a.Length; k++)
        {
            Assert.Equal(a[k].PnlVsHold, b[k].PnlVsHold);
            Assert.Equal((a[k].Reserve0End, a[k].Reserve1End), (b[k].Reserve0End, b[k].Reserve1End));
            Assert.Equal(a[k].Rebalances, b[k].Rebalances);
        }
        Assert.True(swaps > 3000, $"{swaps} swaps compared");
    }
}
