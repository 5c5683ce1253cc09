using System.Numerics;
using CsCheck;
using TreasuryManager.Models.Curve;
using TreasuryManager.Models.UniswapV3;

namespace TreasuryManager.Models.Tests.UniswapV3;

/// <summary>
/// CsCheck properties of <see cref="UniswapV3PoolModel"/> over random sequences of mints, swaps (both ways, exact in
/// and out) and burns with collects on every fee tier: the active liquidity is always the sum of the positions whose
/// range holds the current tick; each tick's gross and net liquidity are the sums over the positions using it; the
/// pool never pays out more of a token than it took in, and after every position is burnt and collected it still
/// holds a non-negative amount of each (rounding favours the pool).
/// </summary>
public class UniswapV3PoolModelProperties
{
    private sealed record Op(int Kind, int A, int B, double Size, bool Flag);

    private static readonly Gen<Op> AnyOp =
        from kind in Gen.Int[0, 9]
        from a in Gen.Int[-3000, 3000]
        from b in Gen.Int[1, 3000]
        from size in Gen.Double[0, 1]
        from flag in Gen.Bool
        select new Op(kind, a, b, size, flag);

    private static readonly Gen<(FeeTier Tier, int StartTick, Op[] Ops)> Scenario =
        from tier in Gen.OneOfConst(FeeTier.Lowest, FeeTier.Low, FeeTier.Medium, FeeTier.High)
        from start in Gen.Int[-50_000, 50_000]
        from ops in AnyOp.Array[5, 60]
        select (tier, start, ops);

    [Fact]
    public void Liquidity_bookkeeping_holds_and_the_pool_stays_solvent()
    {
        Scenario.Sample(scenario =>
        {
            var (tier, start, ops) = scenario;
            var pool = UniswapV3PoolModel.Initialize(tier, TickMath.GetSqrtRatioAtTick(start));
            BigInteger held0 = 0, held1 = 0;
            foreach (var op in ops)
            {
                try
                {
                    (pool, held0, held1) = Apply(pool, op, held0, held1);
                }
                catch (CurveMathException)
                {
                    // a refused operation leaves the pool as it was (the value is unchanged by construction)
                }

                CheckBookkeeping(pool);
                Assert.True(held0 >= 0 && held1 >= 0, $"the pool paid out more than it holds: {held0}, {held1}");
            }

            foreach (var (key, info) in pool.Positions.ToArray())
            {
                if (info.Liquidity.Sign > 0) pool = pool.Burn(key, info.Liquidity).Pool;
                var (next, collected) = pool.Collect(key, Uint.Max128, Uint.Max128);
                pool = next;
                held0 -= collected.Amount0;
                held1 -= collected.Amount1;
            }

            Assert.Equal(0, pool.Liquidity);
            Assert.Empty(pool.InitializedTicks);
            Assert.True(held0 >= 0 && held1 >= 0, $"after every position left, the pool owes {held0}, {held1}");
        }, iter: 400);
    }

    private static (UniswapV3PoolModel, BigInteger, BigInteger) Apply(UniswapV3PoolModel pool, Op op, BigInteger held0, BigInteger held1)
    {
        var s = pool.Fee.TickSpacing;
        var e18 = BigInteger.Pow(10, 18);
        switch (op.Kind)
        {
            case <= 2:
            {
                var centre = (int)Math.Floor((pool.Tick + op.A * (double)s / 10) / s) * s;
                var lower = Math.Max(pool.Fee.MinUsableTick, centre - op.B / 10 * s - s);
                var upper = Math.Min(pool.Fee.MaxUsableTick, centre + (op.B % 100) * s + s);
                var (next, paid) = pool.Mint(new PositionKey(op.Flag ? "a" : "b", lower, upper), new BigInteger(1 + op.Size * 1e22));
                return (next, held0 + paid.Amount0, held1 + paid.Amount1);
            }
            case <= 6:
            {
                var zeroForOne = op.Flag;
                var amount = new BigInteger(1 + op.Size * op.Size * 3e21);
                if (op.B % 2 == 0) amount = -amount;
                var limit = TickMath.GetSqrtRatioAtTick(Math.Clamp(pool.Tick + (zeroForOne ? -op.B : op.B) * s / 4 + (zeroForOne ? 0 : 1),
                    TickMath.MinTick + 1, TickMath.MaxTick - 1));
                var (next, outcome) = pool.Swap(zeroForOne, amount, limit);
                return (next, held0 + outcome.Amount0, held1 + outcome.Amount1);
            }
            default:
            {
                var live = pool.Positions.Where(p => p.Value.Liquidity.Sign > 0).OrderBy(p => (p.Key.Owner, p.Key.TickLower, p.Key.TickUpper)).ToArray();
                if (live.Length == 0) return (pool, held0, held1);
                var (key, info) = live[op.B % live.Length];
                var amount = op.Flag ? info.Liquidity : new BigInteger((double)info.Liquidity * op.Size);
                var burnt = pool.Burn(key, amount).Pool;
                var (next, collected) = burnt.Collect(key, Uint.Max128, Uint.Max128);
                return (next, held0 - collected.Amount0, held1 - collected.Amount1);
            }
        }
    }

    private static void CheckBookkeeping(UniswapV3PoolModel pool)
    {
        var positions = pool.Positions.Where(p => p.Value.Liquidity.Sign > 0).ToArray();
        var active = positions.Where(p => p.Key.TickLower <= pool.Tick && pool.Tick < p.Key.TickUpper).Aggregate(BigInteger.Zero, (sum, p) => sum + p.Value.Liquidity);
        Assert.Equal(active, pool.Liquidity);
        var used = positions.SelectMany(p => new[] { p.Key.TickLower, p.Key.TickUpper }).Distinct().Order().ToArray();
        Assert.Equal(used, pool.InitializedTicks);
        foreach (var t in used)
        {
            var gross = positions.Where(p => p.Key.TickLower == t || p.Key.TickUpper == t).Aggregate(BigInteger.Zero, (sum, p) => sum + p.Value.Liquidity);
            var net = positions.Aggregate(BigInteger.Zero, (sum, p) => sum + (p.Key.TickLower == t ? p.Value.Liquidity : 0) - (p.Key.TickUpper == t ? p.Value.Liquidity : 0));
            Assert.Equal(new BigInteger[] { gross, net }, new[] { pool.TickAt(t).LiquidityGross, pool.TickAt(t).LiquidityNet });
        }
    }
}
