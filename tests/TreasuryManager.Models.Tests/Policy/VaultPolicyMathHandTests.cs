using System.Numerics;
using TreasuryManager.Models.Curve;
using TreasuryManager.Models.Policy;

namespace TreasuryManager.Models.Tests.Policy;

/// <summary>
/// The vault's guard formulas on hand-computed values (powers of two, so every shift and floor is visible), each at the
/// boundary where the vault's answer changes: the oracle's price and its refusals, skew, base share, width, TWAP distance.
/// </summary>
public sealed class VaultPolicyMathHandTests
{
    private static readonly BigInteger Q96 = BigInteger.One << 96;
    private static readonly BigInteger Q128 = BigInteger.One << 128;

    [Fact]
    public void Oracle_price_is_the_answer_scaled_into_Q128_or_null_where_the_vault_reverts()
    {
        Assert.Equal(5 * Q128, VaultPolicyMath.PriceX128(5, 0));
        Assert.Equal(300 * Q128, VaultPolicyMath.PriceX128(3, 2));
        Assert.Equal(3 * Q128, VaultPolicyMath.PriceX128(300, -2));
        Assert.Equal(Q128 / 3, VaultPolicyMath.PriceX128(1, 0) / 3);
        Assert.Equal((Q128 - 1) * Q128, VaultPolicyMath.PriceX128(Q128 - 1, 0));
        Assert.Null(VaultPolicyMath.PriceX128(0, 0));
        Assert.Null(VaultPolicyMath.PriceX128(-1, 0));
        Assert.Null(VaultPolicyMath.PriceX128(Q128, -1)); // the answer itself must be below 2^128
        Assert.Null(VaultPolicyMath.PriceX128(Q128 / 10 + 1, 1)); // the scaled answer too
        Assert.Equal(Q128 / 10 * 10 * Q128, VaultPolicyMath.PriceX128(Q128 / 10, 1));
        Assert.Null(VaultPolicyMath.PriceX128(1, -40)); // 2^128 / 10^40 floors to 0
    }

    [Fact]
    public void Skew_base_share_and_width_by_hand()
    {
        // √P = 2 (P = 4) against an oracle of 2: |4 − 2|/2 = 100% = 10,000 bps, above; √P = 1 against 2: 5,000 bps below.
        Assert.Equal(10_000, VaultPolicyMath.SkewBps(2 * Q96, 2 * Q128));
        Assert.Equal(10_000, VaultPolicyMath.SignedSkewBps(2 * Q96, 2 * Q128));
        Assert.Equal(5_000, VaultPolicyMath.SkewBps(Q96, 2 * Q128));
        Assert.Equal(-5_000, VaultPolicyMath.SignedSkewBps(Q96, 2 * Q128));
        Assert.Equal(0, VaultPolicyMath.SignedSkewBps(Q96, Q128));
        // 100 base at 2 + 200 quote: half the value; 1 base at 1 + 2 quote: ⌊10⁴/3⌋; an empty pool: 0.
        Assert.Equal(5_000, VaultPolicyMath.BaseShareBps(100, 200, 2 * Q128));
        Assert.Equal(3_333, VaultPolicyMath.BaseShareBps(1, 2, Q128));
        Assert.Equal(10_000, VaultPolicyMath.BaseShareBps(1, 0, Q128));
        Assert.Equal(0, VaultPolicyMath.BaseShareBps(0, 0, Q128));
        // high = 2·low: (2² − 1)·10⁴; high = low: 0; high = low/2: |1/4 − 1|·10⁴; a ratio of 2^32 is past the vault's range.
        Assert.Equal(30_000, VaultPolicyMath.WidthBps(2 * Q96, Q96));
        Assert.Equal(0, VaultPolicyMath.WidthBps(Q96, Q96));
        Assert.Equal(7_500, VaultPolicyMath.WidthBps(Q96, 2 * Q96));
        Assert.Equal(Uint.Max256, VaultPolicyMath.WidthBps(BigInteger.One << 32, 1));
        Assert.True(VaultPolicyMath.WidthBps((BigInteger.One << 32) - 1, 1) < Uint.Max256);
    }

    [Fact]
    public void Twap_distance_is_in_log_price_units_either_side()
    {
        // Coarse log2 of 2 is 1 = 2^24 units, of 4 is 2^25, of 1/2 is −2^24, of 1 is 0.
        Assert.Equal(BigInteger.One << 24, LogMath.CoarseLogPriceFromPriceX128(2 * Q128));
        Assert.Equal(BigInteger.One << 25, LogMath.CoarseLogPriceFromPriceX128(4 * Q128));
        Assert.Equal(-(BigInteger.One << 24), LogMath.CoarseLogPriceFromPriceX128(Q128 / 2));
        Assert.Equal(BigInteger.Zero, LogMath.CoarseLogPriceFromPriceX128(Q128));
        // log2 1.5 = 0.5849625…: 16 fractional bits, ⌊0.5849625·2^16⌋ = 38336, times 2^8.
        Assert.Equal(new BigInteger(38_336 << 8), LogMath.CoarseLogPriceFromPriceX128(3 * Q128 / 2));
        Assert.Equal(BigInteger.One << 24, VaultPolicyMath.TwapDeviationLog(BigInteger.One << 25, 2 * Q128));
        Assert.Equal(BigInteger.One << 24, VaultPolicyMath.TwapDeviationLog(0, 2 * Q128));
        Assert.Equal(BigInteger.Zero, VaultPolicyMath.TwapDeviationLog(BigInteger.One << 24, 2 * Q128));
        Assert.Equal("LogOfZero", Assert.Throws<CurveMathException>(() => LogMath.CoarseLogPriceFromPriceX128(0)).Reason);
        Assert.Equal("LogOfZero", Assert.Throws<CurveMathException>(() => LogMath.MostSignificantBit(-1)).Reason);
        Assert.Equal(0, LogMath.MostSignificantBit(1));
        Assert.Equal(96, LogMath.MostSignificantBit(Q96));
        Assert.Equal(Math.Log(2), LogMath.ToNaturalLog(BigInteger.One << 24), 15);
    }

    [Fact]
    public void The_v3_grid_tolerance_covers_half_a_tick_spacing_and_passes_that_much_skew_either_way_at_a_balanced_share()
    {
        // a range on a tick grid centres within half a spacing of the oracle at best: 10^4·(1.0001^(spacing/2) − 1) bps
        for (var spacing = 1; spacing <= 3000; spacing++)
            Assert.True(VaultPolicyMath.GridSkewToleranceBps(spacing) >= 1e4 * (Math.Pow(1.0001, spacing / 2.0) - 1), $"spacing {spacing}");
        Assert.Equal([2, 6, 31, 101], new[] { 1, 10, 60, 200 }.Select(VaultPolicyMath.GridSkewToleranceBps));
        Assert.Throws<ArgumentOutOfRangeException>(() => VaultPolicyMath.GridSkewToleranceBps(0));

        // share at the target (5,000 of [1,000, 9,000]): the inventory allows no skew; the tolerance passes up to itself, either way
        foreach (var sign in new[] { 1, -1 })
        {
            Assert.True(VaultPolicyMath.SkewTowardInventoryOk(sign * 31, 5000, 1000, 9000, 200, toleranceBps: 31));
            Assert.False(VaultPolicyMath.SkewTowardInventoryOk(sign * 32, 5000, 1000, 9000, 200, toleranceBps: 31));
            Assert.False(VaultPolicyMath.SkewTowardInventoryOk(sign * 1, 5000, 1000, 9000, 200)); // TreasuryVault: no tolerance
        }
        Assert.True(VaultPolicyMath.SkewTowardInventoryOk(0, 5000, 1000, 9000, 200));
    }
}
