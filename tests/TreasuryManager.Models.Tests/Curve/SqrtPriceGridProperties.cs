using System.Numerics;
using CsCheck;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Models.Tests.Curve;

/// <summary>The pool's grid of stored sqrt prices (<see cref="SqrtPriceGrid"/>): rounding brackets the value with the
/// two neighbouring grid values, exact below 2^56, spacing at most 2^−55 of the value above.</summary>
public sealed class SqrtPriceGridProperties
{
    private static readonly Gen<BigInteger> Value =
        Gen.Int[1, 129].SelectMany(bits => Gen.Select(Gen.ULong, Gen.ULong, Gen.ULong, (a, b, c) =>
            ((new BigInteger(a) << 128) | (new BigInteger(b) << 64) | c) & ((BigInteger.One << bits) - 1)));

    [Fact]
    public void Rounding_brackets_the_value_with_its_grid_neighbours()
    {
        Value.Sample(v =>
        {
            var down = SqrtPriceGrid.RoundDown(v);
            var up = SqrtPriceGrid.RoundUp(v);
            Assert.True(down <= v && v <= up);
            Assert.True(SqrtPriceGrid.IsOnGrid(down) && SqrtPriceGrid.IsOnGrid(up));
            Assert.Equal(SqrtPriceGrid.IsOnGrid(v), down == up);
            if (v < BigInteger.One << SqrtPriceGrid.MantissaBits) Assert.Equal(v, down); // exact below 2^56
            // neighbours: nothing on the grid strictly between them, and they are at most 2^-55 of v apart
            if (down != up)
            {
                Assert.Equal(up, SqrtPriceGrid.RoundUp(down + 1));
                Assert.True((up - down) << 55 <= v, $"spacing {up - down} at {v}");
            }
        }, iter: 5_000);
    }

    [Fact]
    public void Grid_values_are_their_own_rounding_and_a_carry_lands_on_a_power_of_two()
    {
        var one = BigInteger.One;
        Assert.Equal(one << 57, SqrtPriceGrid.RoundUp((one << 57) - 1)); // 57 ones: rounds up into 2^57
        Assert.Equal((one << 57) - 2, SqrtPriceGrid.RoundDown((one << 57) - 1));
        Assert.Equal(one << 96, SqrtPriceGrid.RoundDown(one << 96));
        Assert.Equal(PoolSwap.MinSqrtPrice, SqrtPriceGrid.RoundUp(PoolSwap.MinSqrtPrice));
        Assert.Throws<ArgumentOutOfRangeException>(() => SqrtPriceGrid.RoundDown(-1));
    }
}
