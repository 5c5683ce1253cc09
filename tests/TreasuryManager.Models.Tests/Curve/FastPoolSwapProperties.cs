using System.Numerics;
using CsCheck;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Models.Tests.Curve;

/// <summary>CsCheck properties: the UInt256 swap path (<see cref="FastSwapMath"/>, <see cref="FastPoolSwap"/>) returns
/// exactly what the BigInteger mirror (<see cref="SqrtPriceMath"/>, <see cref="SwapMath"/>, <see cref="PoolSwap"/>)
/// returns, and fails exactly where it fails.</summary>
public class FastPoolSwapProperties
{
    private const long Iter = 10_000;
    private static readonly BigInteger Max128 = Uint.Max128;
    private static readonly Gen<BigInteger> Bits0To256 = UInt256Properties.Bits(0, 256);

    private static Gen<BigInteger> Bits(int minBits, int maxBits) => UInt256Properties.Bits(minBits, maxBits);

    private static UInt256 U(BigInteger x) => UInt256.FromBigInteger(x);

    /// <summary>Pool prices: anywhere in [MIN_SQRT_PRICE, 2^128 − 1], mostly ordinary (2^80..2^112).</summary>
    private static readonly Gen<BigInteger> Price = Gen.OneOf(
        Bits(80, 112),
        Bits(33, 128).Select(p => BigInteger.Clamp(p, PoolSwap.MinSqrtPrice, PoolSwap.MaxSqrtPrice)),
        Gen.OneOf(Gen.Const(PoolSwap.MinSqrtPrice), Gen.Const(PoolSwap.MaxSqrtPrice)));

    /// <summary>Inputs: tiny (1 wei up), ordinary, huge (to 2^128 − 1), and out of range (0, &gt; 2^128 − 1).</summary>
    private static readonly Gen<BigInteger> AmountIn = Gen.Frequency(
        (3, Bits(1, 20)), (4, Bits(20, 100)), (3, Bits(100, 128)), (1, Gen.Const(Max128)), (1, Gen.Const(BigInteger.Zero)), (1, Bits(129, 140)));

    private static readonly Gen<BigInteger> Reserve = Gen.Frequency((6, Bits(100, 127)), (2, Bits(0, 128)), (1, Gen.Const(Max128)));

    private static readonly Gen<int> Fee = Gen.OneOf(Gen.Int[0, 10_000], Gen.Int[0, 999_999], Gen.Const(0), Gen.Const(999_999));

    /// <summary>A pool state: a range around the price (often the price on an edge), liquidity from 1 wei to 2^128,
    /// reserves up to 2^128 − 1 (sometimes at the limit, so ReserveOverflow and underflow occur).</summary>
    private static readonly Gen<PoolState> State =
        from p in Price
        from widths in Gen.Select(Gen.Int[0, 60], Gen.Int[0, 60], Gen.Int[0, 9])
        from l in Gen.OneOf(Bits(1, 128), Bits(60, 110))
        from r in Gen.Select(Reserve, Reserve)
        from fee in Fee
        let low = widths.Item3 == 0 ? p : BigInteger.Max(PoolSwap.MinSqrtPrice, p - (p >> (widths.Item1 + 1)) - 1)
        let high = widths.Item3 == 1 ? p : BigInteger.Min(PoolSwap.MaxSqrtPrice, p + (p >> (widths.Item2 + 1)) + 1)
        select new PoolState(p, low, high, r.Item1, r.Item2, fee, l);

    private static void AssertSameQuote(PoolQuote slow, FastPoolQuote fast) => Assert.Equal(slow, fast.ToPoolQuote());

    [Fact]
    public void Swap_step_equals_SwapMath_in_both_directions_exact_in_and_out()
    {
        var amount = Gen.OneOf(Bits(0, 128), Bits(0, 256), Gen.Const(BigInteger.One << 255));
        var fee = Gen.OneOf(Fee, Gen.Int[999_990, 1_000_010], Gen.Const(1_000_000));
        Gen.Select(Gen.OneOf(Bits(0, 160), Bits(80, 112)), Gen.OneOf(Bits(0, 160), Bits(80, 112)), Gen.OneOf(Bits(0, 128), Bits(0, 140)), Gen.Select(amount, Gen.Bool), fee)
            .Sample((current, target, liquidity, amountAndSide, feePips) =>
            {
                var (a, exactIn) = amountAndSide;
                var remaining = exactIn ? a : -a;
                UInt256Properties.SameOutcome(
                    () => SwapMath.ComputeSwapStep(current, target, liquidity, remaining, feePips),
                    () => FastSwapMath.ComputeSwapStep(U(current), U(target), U(liquidity), U(a), exactIn, feePips),
                    (s, f) => Assert.Equal(s, f.ToSwapStep()));
            }, iter: Iter);
    }

    [Fact]
    public void Swap_step_equals_SwapMath_for_inputs_near_the_target()
    {
        // FastSwapMath skips the exact input-to-target when a double estimate shows the input falls short: inputs
        // a few units either side of the target's and small fractions either side, at low prices (where one unit of √P is a large
        // relative step) and both directions, exercise that decision on both sides of its margin.
        var gen = Gen.Select(Gen.OneOf(Bits(33, 48), Bits(80, 128)), Gen.Int[-1_000_000, 1_000_000], Bits(1, 100), Gen.Select(Gen.Int[-3, 3], Gen.Int[1, 40], Gen.Bool), Fee);
        gen.Sample((current, offset, liquidity, near, feePips) =>
        {
            var target = BigInteger.Clamp(current + (current >> 60) * offset + offset, 1, Uint.Max160);
            if (target == current) return;
            var (units, shift, byUnits) = near;
            var zeroForOne = current > target;
            BigInteger toTarget;
            try
            {
                toTarget = zeroForOne
                    ? SqrtPriceMath.GetAmount0Delta(target, current, liquidity, true)
                    : SqrtPriceMath.GetAmount1Delta(current, target, liquidity, true);
            }
            catch (CurveMathException)
            {
                return;
            }

            var lessFee = BigInteger.Max(0, toTarget + (byUnits ? units : units * (1 + (toTarget >> shift))));
            var amount = (lessFee * SwapMath.PipsDenominator + SwapMath.PipsDenominator - feePips - 1) / (SwapMath.PipsDenominator - feePips);
            UInt256Properties.SameOutcome(
                () => SwapMath.ComputeSwapStep(current, target, liquidity, amount, feePips),
                () => FastSwapMath.ComputeSwapStep(U(current), U(target), U(liquidity), U(amount), true, feePips),
                (s, f) => Assert.Equal(s, f.ToSwapStep()));
        }, iter: Iter);
    }

    [Fact]
    public void Price_and_amount_functions_equal_SqrtPriceMath()
    {
        Gen.Select(Gen.OneOf(Bits(0, 160), Bits(0, 170)), Gen.OneOf(Bits(0, 160), Bits(0, 170)), Gen.OneOf(Bits(0, 128), Bits(0, 130)), Bits0To256, Gen.Bool)
            .Sample((p, q, l, amount, flag) =>
            {
                static void Same(Func<BigInteger> slow, Func<UInt256> fast) =>
                    UInt256Properties.SameOutcome(slow, fast, (s, f) => Assert.Equal(s, (BigInteger)f));
                Same(() => SqrtPriceMath.GetAmount0Delta(p, q, l, flag), () => FastSwapMath.GetAmount0Delta(U(p), U(q), U(l), flag));
                Same(() => SqrtPriceMath.GetAmount1Delta(p, q, l, flag), () => FastSwapMath.GetAmount1Delta(U(p), U(q), U(l), flag));
                Same(() => SqrtPriceMath.GetNextSqrtPriceFromInput(p, l, amount, flag), () => FastSwapMath.GetNextSqrtPriceFromInput(U(p), U(l), U(amount), flag));
                Same(() => SqrtPriceMath.GetNextSqrtPriceFromOutput(p, l, amount, flag), () => FastSwapMath.GetNextSqrtPriceFromOutput(U(p), U(l), U(amount), flag));
                Same(() => SqrtPriceMath.GetNextSqrtPriceFromAmount0RoundingUp(p, l, amount, flag), () => FastSwapMath.GetNextSqrtPriceFromAmount0RoundingUp(U(p), U(l), U(amount), flag));
                Same(() => SqrtPriceMath.GetNextSqrtPriceFromAmount1RoundingDown(p, l, amount, flag), () => FastSwapMath.GetNextSqrtPriceFromAmount1RoundingDown(U(p), U(l), U(amount), flag));
            }, iter: Iter);
    }

    [Fact]
    public void Pool_swap_equals_PoolSwap_on_random_states_and_amounts()
    {
        long swapped = 0, edgeReached = 0;
        Gen.Select(State, Gen.Bool, AmountIn).Sample((state, zeroForOne, amountIn) =>
        {
            UInt256Properties.SameOutcome(
                () => PoolSwap.Swap(state, zeroForOne, amountIn),
                () =>
                {
                    var fast = FastPoolState.FromPoolState(state);
                    var q = FastPoolSwap.Swap(ref fast, zeroForOne, U(amountIn));
                    return (fast, q);
                },
                (s, f) =>
                {
                    AssertSameQuote(s.Quote, f.q);
                    Assert.Equal(s.State, f.fast.ToPoolState());
                    Interlocked.Increment(ref swapped);
                    var edge = zeroForOne ? state.SqrtPriceLowX96 : state.SqrtPriceHighX96;
                    if (s.State.SqrtPriceX96 == edge) Interlocked.Increment(ref edgeReached);
                });
        }, iter: Iter);

        // The generators must exercise successful swaps, including ones that stop at the range edge, not only reverts.
        Assert.True(swapped > Iter / 4, $"only {swapped} of {Iter} swaps succeeded");
        Assert.True(edgeReached > Iter / 50, $"only {edgeReached} swaps reached the range edge");
    }

    [Fact]
    public void Pool_quote_equals_PoolSwap_quote()
    {
        Gen.Select(State, Gen.Bool, AmountIn).Sample((state, zeroForOne, amountIn) =>
            UInt256Properties.SameOutcome(
                () => PoolSwap.Quote(state, zeroForOne, amountIn),
                () => FastPoolSwap.Quote(FastPoolState.FromPoolState(state), zeroForOne, U(amountIn)),
                AssertSameQuote), iter: Iter);
    }

    [Fact]
    public void Swap_sequences_on_a_fitted_pool_stay_equal()
    {
        // A realistic pool (18-decimal tokens, price ~2000, fitted by reposition), then 200 swaps back and forth of
        // random sizes from dust to most of the reserves: both paths agree after every swap, failures included.
        var e18 = BigInteger.Pow(10, 18);
        var sqrtP = Uint.SqrtPriceX96FromPrice(2000);
        var lowBound = Uint.SqrtPriceX96FromPrice(1500);
        var fitted = PoolSwap.Reposition(new PoolState(sqrtP, 0, 0, 1_000 * e18, 2_000_000 * e18, 3000, 0), sqrtP, lowBound, 3000);
        var steps = Gen.Select(Gen.Bool, Gen.OneOf(Bits(1, 40), Bits(40, 70), Bits(60, 80))).Array[200];
        steps.Sample(list =>
        {
            var slow = fitted;
            var fast = FastPoolState.FromPoolState(fitted);
            foreach (var (zeroForOne, amount) in list)
            {
                var moved = false;
                UInt256Properties.SameOutcome(
                    () => PoolSwap.Swap(slow, zeroForOne, amount),
                    () =>
                    {
                        var copy = fast;
                        var q = FastPoolSwap.Swap(ref copy, zeroForOne, U(amount));
                        return (copy, q);
                    },
                    (s, f) =>
                    {
                        AssertSameQuote(s.Quote, f.q);
                        Assert.Equal(s.State, f.copy.ToPoolState());
                        (slow, fast, moved) = (s.State, f.copy, true);
                    });
                Assert.True(moved || slow.SqrtPriceX96 == fast.SqrtPriceX96);
            }
        }, iter: 500);
    }

    [Fact]
    public void State_conversion_round_trips()
    {
        State.Sample(s => Assert.Equal(s, FastPoolState.FromPoolState(s).ToPoolState()), iter: Iter);
        Assert.Throws<OverflowException>(() => FastPoolState.FromPoolState(new PoolState(-1, 0, 0, 0, 0, 0, 0)));
    }
}
