using System.Numerics;
using TreasuryManager.Keeper.Execution;

namespace TreasuryManager.Keeper.Tests;

public sealed class FeePolicyTests
{
    private const long Gwei = 1_000_000_000;

    [Fact]
    public void Max_fee_is_twice_the_base_fee_plus_the_tip_under_the_cap()
    {
        Assert.Equal(new Fees(21 * Gwei, 1 * Gwei), FeePolicy.Price(10 * Gwei, 1 * Gwei, 100 * Gwei));
        Assert.Equal(new Fees(15 * Gwei, 1 * Gwei), FeePolicy.Price(10 * Gwei, 1 * Gwei, 15 * Gwei));
        Assert.Equal(new Fees(2 * Gwei, 2 * Gwei), FeePolicy.Price(10 * Gwei, 3 * Gwei, 2 * Gwei)); // the tip never above the max fee
    }

    [Fact]
    public void A_replacement_raises_both_fees_by_at_least_the_bump_rounded_up()
    {
        var bump = FeePolicy.Bump(new Fees(1001, 7), baseFee: 1, tip: 1, cap: 1_000_000, bumpPerMille: 1125);
        Assert.True(bump.IsPossible);
        Assert.Equal(new BigInteger(1127), bump.Fees!.Value.MaxFeePerGas);  // ceil(1001·1.125) = 1126.125 → 1127
        Assert.Equal(new BigInteger(8), bump.Fees!.Value.MaxPriorityFeePerGas); // ceil(7.875)
        // At least 1 wei more even when the fee is tiny.
        Assert.Equal(new BigInteger(1), FeePolicy.MinimumBumped(0, 1125));
    }

    [Fact]
    public void A_replacement_follows_a_risen_base_fee_up_to_the_cap()
    {
        var bump = FeePolicy.Bump(new Fees(3 * Gwei, 1 * Gwei), baseFee: 50 * Gwei, tip: 1 * Gwei, cap: 80 * Gwei, bumpPerMille: 1125);
        Assert.Equal(new Fees(80 * Gwei, 1_125_000_000), bump.Fees);
    }

    [Fact]
    public void The_cap_blocking_a_valid_bump_is_reported_with_the_numbers()
    {
        var bump = FeePolicy.Bump(new Fees(95 * Gwei, 1 * Gwei), baseFee: 60 * Gwei, tip: 1 * Gwei, cap: 100 * Gwei, bumpPerMille: 1125);
        Assert.False(bump.IsPossible);
        Assert.Contains("106875000000", bump.Blocked);
        Assert.Contains("cap 100000000000", bump.Blocked);
        Assert.Contains("MaxFeePerGasCap", bump.Blocked);
    }

    [Fact]
    public void Options_validation_names_the_bad_field()
    {
        var good = new ExecutorOptions { MaxFeePerGasCap = 100 * Gwei, BaseFeeCeiling = 30 * Gwei };
        Assert.Same(good, good.Validate());
        Assert.Equal(nameof(ExecutorOptions.ReplacementBumpPerMille),
            Assert.Throws<ArgumentOutOfRangeException>(() => (good with { ReplacementBumpPerMille = 1100 }).Validate()).ParamName);
        Assert.Equal(nameof(ExecutorOptions.BaseFeeCeiling),
            Assert.Throws<ArgumentOutOfRangeException>(() => (good with { BaseFeeCeiling = 200 * Gwei }).Validate()).ParamName);
        Assert.Equal(nameof(ExecutorOptions.Confirmations),
            Assert.Throws<ArgumentOutOfRangeException>(() => (good with { Confirmations = 0 }).Validate()).ParamName);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => (good with { MaxBlocksToWait = 1, BlocksBeforeReplacement = 3 }).Validate());
        Assert.Contains("ExecutorOptions.MaxBlocksToWait", error.Message);
    }

    [Theory]
    [InlineData("Known transaction: 0x3be3351d5fa31c3273c35524a46541a00b592b0c39b075d0d73a49fd84440604", true)] // Hardhat
    [InlineData("transaction already imported", true)] // anvil
    [InlineData("already known", true)] // geth
    [InlineData("nonce too low", false)]
    [InlineData("replacement transaction underpriced", false)]
    public void A_rebroadcast_the_node_already_holds_is_recognised_in_each_nodes_words(string nodeMessage, bool known) =>
        Assert.Equal(known, TransactionExecutor.IsAlreadyKnown(nodeMessage));
}
