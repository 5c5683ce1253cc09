using System.Numerics;
using TreasuryManager.Models.Policy;

namespace TreasuryManager.Models.Tests.Policy;

/// <summary>The C# mirror of TreasuryVault's keeper-key bound (docs/keeper-key-bound.md); the node tests
/// (Contracts.Tests/Security/KeeperKeyBoundTests) check it against the vault's own error arguments.</summary>
public sealed class VaultPolicyMathBoundTests
{
    [Theory]
    // skew, share, min, max, maxSkew → allowed
    [InlineData(-50, 5500, 4000, 6000, 200, 100)]   // base-heavy, centre below: 200 · 500 / 1000
    [InlineData(50, 5500, 4000, 6000, 200, 0)]      // base-heavy, centre above: against the inventory
    [InlineData(50, 4000, 4000, 6000, 200, 200)]    // at the band edge: the whole maxSkew
    [InlineData(-1, 5000, 4000, 6000, 200, 0)]      // at the target: nothing
    [InlineData(-10, 5001, 1000, 9000, 200, 0)]     // 200 · 1 / 4000 rounds down to 0
    [InlineData(-10, 9000, 1000, 9000, 200, 200)]
    [InlineData(10, 4999, 5000, 5000, 200, 200)]    // min = max: any imbalance allows maxSkew toward it
    public void Allowed_skew_follows_the_vaults_formula(int skew, int share, int min, int max, int maxSkew, int allowed)
    {
        Assert.Equal(new BigInteger(allowed), VaultPolicyMath.AllowedSkewBps(skew, share, min, max, maxSkew));
        Assert.Equal(Math.Abs(skew) <= allowed, VaultPolicyMath.SkewTowardInventoryOk(skew, share, min, max, maxSkew));
    }

    [Fact]
    public void A_zero_skew_always_passes()
    {
        Assert.True(VaultPolicyMath.SkewTowardInventoryOk(0, 9999, 0, 10_000, 2000));
        Assert.True(VaultPolicyMath.SkewTowardInventoryOk(0, 5000, 4000, 6000, 200));
    }

    [Fact]
    public void The_signed_skew_is_positive_above_the_oracle()
    {
        var po = BigInteger.One << 128; // price 1
        var above = (BigInteger.One << 96) * 1_01 / 1_00; // sqrt 1.01: price ≈ 1.0201
        var below = (BigInteger.One << 96) * 99 / 100;
        Assert.Equal(VaultPolicyMath.SkewBps(above, po), VaultPolicyMath.SignedSkewBps(above, po));
        Assert.Equal(-VaultPolicyMath.SkewBps(below, po), VaultPolicyMath.SignedSkewBps(below, po));
        Assert.True(VaultPolicyMath.SignedSkewBps(above, po) > 0);
    }

    [Fact]
    public void Loss_and_budget_value_both_holdings_at_todays_oracle()
    {
        var po = new BigInteger(2) << 128; // 2 quote units per base unit
        // held 100 base + 200 quote = 400; now 110 base + 170 quote = 390: loss 10, budget 1% of 400 = 4
        Assert.Equal((new BigInteger(10), new BigInteger(4)), VaultPolicyMath.LossAndBudget(100, 200, 110, 170, po, 100));
        // fees in the pool's favour: now worth more than holding → no loss
        Assert.Equal((BigInteger.Zero, new BigInteger(4)), VaultPolicyMath.LossAndBudget(100, 200, 100, 205, po, 100));
    }

    [Theory]
    // share, min, max, recovery → accepted
    [InlineData(9500, 1000, 9000, false, false)]
    [InlineData(9500, 1000, 9000, true, true)]   // recovery: anywhere (the skew rule still steers toward the target)
    [InlineData(9000, 1000, 9000, false, true)]  // the bounds are inclusive
    [InlineData(999, 1000, 9000, false, false)]
    public void The_inventory_rule_lets_recovery_run_outside_the_bounds(int share, int min, int max, bool recovery, bool ok) =>
        Assert.Equal(ok, VaultPolicyMath.InventoryOk(share, min, max, recovery));

    [Fact]
    public void The_TWAP_exemption_needs_the_spot_on_a_bound_and_the_oracle_beyond_it()
    {
        var low = (BigInteger.One << 96) * 9 / 10;
        var high = (BigInteger.One << 96) * 11 / 10;
        var lowPrice = low * low >> 64; // the edge's price, Q128.128
        var highPrice = high * high >> 64;
        Assert.True(VaultPolicyMath.TwapCheckExempt(low, low, high, lowPrice - 1));     // on the low bound, oracle below
        Assert.False(VaultPolicyMath.TwapCheckExempt(low, low, high, lowPrice));        // oracle at the edge: checked
        Assert.False(VaultPolicyMath.TwapCheckExempt(low, low, high, lowPrice + 1));    // oracle on the other side
        Assert.False(VaultPolicyMath.TwapCheckExempt(low + 1, low, high, lowPrice / 2)); // one wei inside the bound
        Assert.True(VaultPolicyMath.TwapCheckExempt(high, low, high, highPrice + 1));   // on the high bound, oracle above
        Assert.False(VaultPolicyMath.TwapCheckExempt(high, low, high, highPrice));
        Assert.False(VaultPolicyMath.TwapCheckExempt(high - 1, low, high, highPrice * 2));
    }
}
