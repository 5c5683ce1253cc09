using System.Globalization;
using System.Numerics;
using CsCheck;
using TreasuryManager.Models.Curve;
using TreasuryManager.Models.UniswapV3;

namespace TreasuryManager.Models.Tests.UniswapV3;

/// <summary>
/// <see cref="TickMath"/> against Uniswap v3-core's published TickMath vectors (test/TickMath.spec.ts and its
/// snapshot: the bounds, MIN_TICK + 1, MAX_TICK − 1, ±50 … ±738203) and CsCheck properties: the tick of a tick's
/// price is the tick, the tick of any price is the greatest tick at or below it, and the price rises with the tick.
/// </summary>
public class TickMathTests
{
    private static BigInteger B(string s) => BigInteger.Parse(s, CultureInfo.InvariantCulture);

    private static BigInteger H(string hex) => BigInteger.Parse("0" + hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    [Fact]
    public void GetSqrtRatioAtTick_equals_the_published_vectors_at_the_bounds()
    {
        Assert.Equal(B("4295128739"), TickMath.GetSqrtRatioAtTick(TickMath.MinTick));
        Assert.Equal(B("4295343490"), TickMath.GetSqrtRatioAtTick(TickMath.MinTick + 1));
        Assert.Equal(B("1461373636630004318706518188784493106690254656249"), TickMath.GetSqrtRatioAtTick(TickMath.MaxTick - 1));
        Assert.Equal(B("1461446703485210103287273052203988822378723970342"), TickMath.GetSqrtRatioAtTick(TickMath.MaxTick));
        Assert.Equal(TickMath.MinSqrtRatio, TickMath.GetSqrtRatioAtTick(TickMath.MinTick));
        Assert.Equal(TickMath.MaxSqrtRatio, TickMath.GetSqrtRatioAtTick(TickMath.MaxTick));
        Assert.Equal(Uint.Q96, TickMath.GetSqrtRatioAtTick(0));
        Assert.Equal(B("79232123823359799118286999568"), TickMath.GetSqrtRatioAtTick(1));
        // v3-core's "min tick ratio is less than js implementation" / "max tick ratio is greater than js implementation"
        Assert.True(TickMath.GetSqrtRatioAtTick(TickMath.MinTick) < Uint.EncodeSqrtPrice(1, BigInteger.One << 127));
        Assert.True(TickMath.GetSqrtRatioAtTick(TickMath.MaxTick) > Uint.EncodeSqrtPrice(BigInteger.One << 127, 1));
    }

    [Theory]
    [InlineData(50, "0100a4096906976f1080c4042d", "ff5c5f6fd987594269220c6a")]
    [InlineData(100, "0101487bee1c17ddb45ce0bae0", "feb927758f54316b45a2d3b3")]
    [InlineData(250, "0103384cc810558cdf8c440237", "fcd1f06e35bcde2b89848a21")]
    [InlineData(500, "01067af7be7f9ba68649faa103", "f9adfd836f8e67fcd3fbc8f1")]
    [InlineData(1000, "010d1fee2afe8561359d69a466", "f383ed6a4db4dabd35fb4457")]
    [InlineData(2500, "0122158d8bd5e8608ce87a2a89", "e1ebadaf4348cf03065c78b0")]
    [InlineData(3000, "01296d65dd39b9cdb1686122fd", "dc57c7edc0953c8a806afe03")]
    [InlineData(4000, "0138ad0cfe73ce1e71b237794f", "d198e00abfc929b20b3a5e0b")]
    [InlineData(5000, "0148b4d68157d6e8e30d43811e", "c760204669e1dc7cd7c087b7")]
    [InlineData(150000, "070f5d5483c9bc7ecaca01eb4661", "2442b231afa40110811e3d")]
    [InlineData(250000, "041789a3a867a82754af6edc398f28", "3e8fdc0fc4060814fc0e")]
    [InlineData(500000, "10be7722ac12c046792462c77d5c3d5366", "0f49ff6f39bb048b")]
    [InlineData(738203, "25fca1f4cc2b919d309c63cc3bf4a65dae57ad", "06bd3a9098e3")]
    public void GetSqrtRatioAtTick_equals_the_v3_core_snapshot(int tick, string positiveHex, string negativeHex)
    {
        Assert.Equal(H(positiveHex), TickMath.GetSqrtRatioAtTick(tick));
        Assert.Equal(H(negativeHex), TickMath.GetSqrtRatioAtTick(-tick));
        // and back: both are exact tick prices
        Assert.Equal(tick, TickMath.GetTickAtSqrtRatio(H(positiveHex)));
        Assert.Equal(-tick, TickMath.GetTickAtSqrtRatio(H(negativeHex)));
    }

    [Fact]
    public void GetTickAtSqrtRatio_equals_the_published_vectors()
    {
        Assert.Equal(TickMath.MinTick, TickMath.GetTickAtSqrtRatio(TickMath.MinSqrtRatio));
        Assert.Equal(TickMath.MinTick + 1, TickMath.GetTickAtSqrtRatio(B("4295343490")));
        Assert.Equal(TickMath.MaxTick - 1, TickMath.GetTickAtSqrtRatio(B("1461373636630004318706518188784493106690254656249")));
        Assert.Equal(TickMath.MaxTick - 1, TickMath.GetTickAtSqrtRatio(TickMath.MaxSqrtRatio - 1));
        Assert.Equal(0, TickMath.GetTickAtSqrtRatio(Uint.Q96));
        Assert.Equal(-1, TickMath.GetTickAtSqrtRatio(Uint.Q96 - 1));
        Assert.Equal(1, TickMath.GetTickAtSqrtRatio(B("79232123823359799118286999568")));
        Assert.Equal(0, TickMath.GetTickAtSqrtRatio(B("79232123823359799118286999567")));
        // v3-core's spec: for each of these ratios, ratio(tick) ≤ ratio < ratio(tick + 1)
        foreach (var ratio in new[]
                 {
                     "4295128739", "79228162514264337593543950336000000", "79228162514264337593543950336000",
                     "9903520314283042199192993792", "28011385487393069959365969113", "56022770974786139918731938227",
                     "79228162514264337593543950336", "112045541949572279837463876454", "224091083899144559674927752909",
                     "633825300114114700748351602688", "79228162514264337593543950", "79228162514264337593543",
                     "1461446703485210103287273052203988822378723970341",
                 })
        {
            var r = B(ratio);
            var tick = TickMath.GetTickAtSqrtRatio(r);
            Assert.True(TickMath.GetSqrtRatioAtTick(tick) <= r, ratio);
            Assert.True(r < TickMath.GetSqrtRatioAtTick(tick + 1), ratio);
        }
    }

    [Fact]
    public void Out_of_range_inputs_revert_as_the_Solidity()
    {
        Assert.Equal("T", Assert.Throws<CurveMathException>(() => TickMath.GetSqrtRatioAtTick(TickMath.MinTick - 1)).Reason);
        Assert.Equal("T", Assert.Throws<CurveMathException>(() => TickMath.GetSqrtRatioAtTick(TickMath.MaxTick + 1)).Reason);
        Assert.Equal("T", Assert.Throws<CurveMathException>(() => TickMath.GetSqrtRatioAtTick(int.MinValue)).Reason);
        Assert.Equal("R", Assert.Throws<CurveMathException>(() => TickMath.GetTickAtSqrtRatio(TickMath.MinSqrtRatio - 1)).Reason);
        Assert.Equal("R", Assert.Throws<CurveMathException>(() => TickMath.GetTickAtSqrtRatio(TickMath.MaxSqrtRatio)).Reason);
        Assert.Equal("R", Assert.Throws<CurveMathException>(() => TickMath.GetTickAtSqrtRatio(0)).Reason);
    }

    private static readonly Gen<int> AnyTick = Gen.OneOf(
        Gen.Int[TickMath.MinTick, TickMath.MaxTick],
        Gen.Int[-2000, 2000],
        Gen.Int[TickMath.MinTick, TickMath.MinTick + 300],
        Gen.Int[TickMath.MaxTick - 300, TickMath.MaxTick]);

    [Fact]
    public void Tick_to_sqrt_to_tick_round_trips()
    {
        // MAX_TICK's own price is excluded from getTickAtSqrtRatio's domain (it reverts "R" there, as checked above).
        AnyTick.Where(t => t < TickMath.MaxTick).Sample(
            tick => Assert.Equal(tick, TickMath.GetTickAtSqrtRatio(TickMath.GetSqrtRatioAtTick(tick))), iter: 20_000);
    }

    [Fact]
    public void The_sqrt_price_rises_strictly_with_the_tick()
    {
        Gen.Select(AnyTick, Gen.Int[1, 3]).Where(t => t.Item1 + t.Item2 <= TickMath.MaxTick).Sample(
            (tick, step) => Assert.True(TickMath.GetSqrtRatioAtTick(tick) < TickMath.GetSqrtRatioAtTick(tick + step)),
            iter: 20_000);
    }

    [Fact]
    public void The_tick_of_a_price_is_the_greatest_tick_at_or_below_it()
    {
        // Prices between two neighbouring tick prices (and at them) map to the lower tick; the tick is monotone in the price.
        Gen.Select(Gen.Int[TickMath.MinTick, TickMath.MaxTick - 1], Gen.Double[0, 1]).Sample((tick, fraction) =>
        {
            var low = TickMath.GetSqrtRatioAtTick(tick);
            var high = TickMath.GetSqrtRatioAtTick(tick + 1);
            var inside = low + new BigInteger(fraction * (double)(high - low - 1));
            Assert.Equal(tick, TickMath.GetTickAtSqrtRatio(inside));
            Assert.Equal(tick, TickMath.GetTickAtSqrtRatio(high - 1));
            if (tick + 1 < TickMath.MaxTick) Assert.Equal(tick + 1, TickMath.GetTickAtSqrtRatio(high));
        }, iter: 20_000);
    }
}
