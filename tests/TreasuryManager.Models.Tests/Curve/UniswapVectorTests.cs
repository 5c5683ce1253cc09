using System.Numerics;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Models.Tests.Curve;

/// <summary>Fixed vectors from Uniswap v3-core's own tests (test/SqrtPriceMath.spec.ts,
/// test/SwapMath.spec.ts): encodePriceSqrt(a, b) = ⌊√(a/b)·2^96⌋, expandTo18Decimals(n) = n·10^18.</summary>
public class UniswapVectorTests
{
    private static readonly BigInteger E18 = BigInteger.Pow(10, 18);
    private static BigInteger Encode(BigInteger a, BigInteger b) => Uint.EncodeSqrtPrice(a, b);
    private static BigInteger B(string s) => BigInteger.Parse(s);

    [Fact]
    public void Encode_one_is_two_to_the_96()
    {
        Assert.Equal(B("79228162514264337593543950336"), Encode(1, 1));
        // √1.21 = 1.1 exactly: ⌊1.1·2^96⌋
        Assert.Equal(B("87150978765690771352898345369"), Encode(121, 100));
    }

    [Fact]
    public void GetNextSqrtPriceFromInput_vectors()
    {
        var one = Encode(1, 1);
        Assert.Equal(B("87150978765690771352898345369"), SqrtPriceMath.GetNextSqrtPriceFromInput(one, E18, E18 / 10, false));
        Assert.Equal(B("72025602285694852357767227579"), SqrtPriceMath.GetNextSqrtPriceFromInput(one, E18, E18 / 10, true));
        // amountIn > type(uint96).max: the overflow fallback branch.
        Assert.Equal(B("624999999995069620"), SqrtPriceMath.GetNextSqrtPriceFromInput(one, 10 * E18, BigInteger.Pow(2, 100), true));
        Assert.Equal(1, SqrtPriceMath.GetNextSqrtPriceFromInput(one, 1, Uint.Max256 / 2, true));
        Assert.Equal(1, SqrtPriceMath.GetNextSqrtPriceFromInput(1, 1, BigInteger.Pow(2, 255), true));
        Assert.Equal(one, SqrtPriceMath.GetNextSqrtPriceFromInput(one, E18 / 10, 0, true));
        Assert.Equal(one, SqrtPriceMath.GetNextSqrtPriceFromInput(one, E18 / 10, 0, false));
        Assert.Equal("P", Assert.Throws<CurveMathException>(() => SqrtPriceMath.GetNextSqrtPriceFromInput(0, 0, E18 / 10, false)).Reason);
        Assert.Equal("L", Assert.Throws<CurveMathException>(() => SqrtPriceMath.GetNextSqrtPriceFromInput(1, 0, E18 / 10, true)).Reason);
        Assert.Throws<CurveMathException>(() => SqrtPriceMath.GetNextSqrtPriceFromInput(Uint.Max160, 1024, 1024, false));
    }

    [Fact]
    public void GetNextSqrtPriceFromOutput_vectors()
    {
        var one = Encode(1, 1);
        Assert.Equal(B("88031291682515930659493278152"), SqrtPriceMath.GetNextSqrtPriceFromOutput(one, E18, E18 / 10, false));
        Assert.Equal(B("71305346262837903834189555302"), SqrtPriceMath.GetNextSqrtPriceFromOutput(one, E18, E18 / 10, true));
        var price = B("20282409603651670423947251286016");
        // Output of exactly or more than the virtual reserves reverts (v3-core 1.0: require(sqrtPX96 > quotient)).
        Assert.Throws<CurveMathException>(() => SqrtPriceMath.GetNextSqrtPriceFromOutput(price, 1024, 4, false));
        Assert.Throws<CurveMathException>(() => SqrtPriceMath.GetNextSqrtPriceFromOutput(price, 1024, 5, false));
        Assert.Throws<CurveMathException>(() => SqrtPriceMath.GetNextSqrtPriceFromOutput(price, 1024, 262144, true));
        Assert.Throws<CurveMathException>(() => SqrtPriceMath.GetNextSqrtPriceFromOutput(price, 1024, 262145, true));
        Assert.Throws<CurveMathException>(() => SqrtPriceMath.GetNextSqrtPriceFromOutput(one, 1, Uint.Max256, true));
        Assert.Throws<CurveMathException>(() => SqrtPriceMath.GetNextSqrtPriceFromOutput(one, 1, Uint.Max256, false));
    }

    [Fact]
    public void GetAmountDelta_vectors()
    {
        var one = Encode(1, 1);
        var p121 = Encode(121, 100);
        var a0 = SqrtPriceMath.GetAmount0Delta(p121, one, E18, true);
        Assert.Equal(B("90909090909090910"), a0);
        Assert.Equal(a0 - 1, SqrtPriceMath.GetAmount0Delta(p121, one, E18, false));
        var a1 = SqrtPriceMath.GetAmount1Delta(one, p121, E18, true);
        Assert.Equal(B("100000000000000000"), a1);
        Assert.Equal(a1 - 1, SqrtPriceMath.GetAmount1Delta(one, p121, E18, false));
        Assert.Equal(0, SqrtPriceMath.GetAmount0Delta(Encode(2, 1), one, 0, true));
        Assert.Equal(0, SqrtPriceMath.GetAmount0Delta(one, one, E18, true));
        // Prices whose product overflows 256 bits.
        var up = SqrtPriceMath.GetAmount0Delta(Encode(BigInteger.Pow(2, 96), 1), Encode(BigInteger.Pow(2, 90), 1), E18, true);
        var down = SqrtPriceMath.GetAmount0Delta(Encode(BigInteger.Pow(2, 96), 1), Encode(BigInteger.Pow(2, 90), 1), E18, false);
        Assert.Equal(down + 1, up);
    }

    [Fact]
    public void Swap_computation_where_sqrtP_times_sqrtQ_overflows()
    {
        var sqrtP = B("1025574284609383690408304870162715216695788925244");
        var liquidity = B("50015962439936049619261659728067971248");
        var sqrtQ = SqrtPriceMath.GetNextSqrtPriceFromInput(sqrtP, liquidity, 406, true);
        Assert.Equal(B("1025574284609383582644711336373707553698163132913"), sqrtQ);
        Assert.Equal(406, SqrtPriceMath.GetAmount0Delta(sqrtP, sqrtQ, liquidity, true));
    }

    [Fact]
    public void ComputeSwapStep_vectors()
    {
        var price = Encode(1, 1);
        var s = SwapMath.ComputeSwapStep(price, Encode(101, 100), 2 * E18, E18, 600);
        Assert.Equal(B("9975124224178055"), s.AmountIn);
        Assert.Equal(B("5988667735148"), s.FeeAmount);
        Assert.Equal(B("9925619580021728"), s.AmountOut);
        Assert.Equal(Encode(101, 100), s.SqrtPriceNextX96);

        s = SwapMath.ComputeSwapStep(price, Encode(101, 100), 2 * E18, -E18, 600);
        Assert.Equal(B("9975124224178055"), s.AmountIn);
        Assert.Equal(B("5988667735148"), s.FeeAmount);
        Assert.Equal(B("9925619580021728"), s.AmountOut);

        s = SwapMath.ComputeSwapStep(price, Encode(1000, 100), 2 * E18, E18, 600);
        Assert.Equal(B("999400000000000000"), s.AmountIn);
        Assert.Equal(B("600000000000000"), s.FeeAmount);
        Assert.Equal(B("666399946655997866"), s.AmountOut);
        Assert.Equal(SqrtPriceMath.GetNextSqrtPriceFromInput(price, 2 * E18, E18 - s.FeeAmount, false), s.SqrtPriceNextX96);

        s = SwapMath.ComputeSwapStep(price, Encode(10000, 100), 2 * E18, -E18, 600);
        Assert.Equal(B("2000000000000000000"), s.AmountIn);
        Assert.Equal(B("1200720432259356"), s.FeeAmount);
        Assert.Equal(E18, s.AmountOut);
        Assert.Equal(SqrtPriceMath.GetNextSqrtPriceFromOutput(price, 2 * E18, E18, false), s.SqrtPriceNextX96);

        s = SwapMath.ComputeSwapStep(B("417332158212080721273783715441582"), B("1452870262520218020823638996"), B("159344665391607089467575320103"), -1, 1);
        Assert.Equal(new SwapStep(B("417332158212080721273783715441581"), 1, 1, 1), s);

        s = SwapMath.ComputeSwapStep(2, 1, 1, B("3915081100057732413702495386755767"), 1);
        Assert.Equal(new SwapStep(1, B("39614081257132168796771975168"), 0, B("39614120871253040049813")), s);

        s = SwapMath.ComputeSwapStep(2413, B("79887613182836312"), B("1985041575832132834610021537970"), 10, 1872);
        Assert.Equal(new SwapStep(2413, 0, 0, 10), s);

        var sqrtP = B("20282409603651670423947251286016");
        s = SwapMath.ComputeSwapStep(sqrtP, sqrtP * 11 / 10, 1024, -4, 3000);
        Assert.Equal(new SwapStep(sqrtP * 11 / 10, 26215, 0, 79), s);
        s = SwapMath.ComputeSwapStep(sqrtP, sqrtP * 9 / 10, 1024, -263000, 3000);
        Assert.Equal(new SwapStep(sqrtP * 9 / 10, 1, 26214, 1), s);
    }

    [Fact]
    public void MulDiv_reverts_like_solidity()
    {
        Assert.Throws<CurveMathException>(() => FullMath.MulDiv(5, 5, 0));
        Assert.Throws<CurveMathException>(() => FullMath.MulDiv(Uint.Max256, Uint.Max256, 1));
        Assert.Throws<CurveMathException>(() => FullMath.MulDivRoundingUp(Uint.Max256, Uint.Max256, Uint.Max256 - 1));
        // Max·Max/Max = Max exactly.
        Assert.Equal(Uint.Max256, FullMath.MulDiv(Uint.Max256, Uint.Max256, Uint.Max256));
        // (2^128 + 1)·(2^128 − 1)/2^128 … hand: (2^256 − 1)/2^128 = 2^128 − 2^-128 → floor 2^128 − 1, ceil 2^128.
        var t = BigInteger.One << 128;
        Assert.Equal(t - 1, FullMath.MulDiv(t + 1, t - 1, t));
        Assert.Equal(t, FullMath.MulDivRoundingUp(t + 1, t - 1, t));
        Assert.Throws<ArgumentOutOfRangeException>(() => FullMath.MulDiv(-1, 1, 1));
    }
}
