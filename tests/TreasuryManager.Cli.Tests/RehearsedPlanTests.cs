using System.Numerics;
using TreasuryManager.Cli.Rehearsal;
using TreasuryManager.Ethereum;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Strategy.Decisions;

namespace TreasuryManager.Cli.Tests;

/// <summary>
/// The check before a rehearsed plan is sent: the same plan is the same pool, kind and vault target (every field of the
/// calldata); the block it was decided at, its gas estimate and its benefit may differ. Each difference names its field
/// and both values.
/// </summary>
public sealed class RehearsedPlanTests
{
    private static readonly Address PoolAddress = Address.Parse("0x00000000000000000000000000000000000000aa");
    private static readonly InventoryView View = new(100, 200, 2, 2, 5000, 1.5, 1, 0.03, "oracle", 10);

    private static Plan Plan(long block = 10, RebalanceKind kind = RebalanceKind.Normal, BigInteger? centre = null, BigInteger? bound = null, int fee = 3000, int hint = 7, long gas = 90_000, Address? pool = null) =>
        new(pool ?? PoolAddress, "BASE/USDQ", block, new RebalanceAction(kind, RebalanceTrigger.InventoryBand,
            new CurveTarget(centre ?? BigInteger.Pow(2, 96), bound ?? BigInteger.Pow(2, 95), fee, hint),
            1_000_000, 1, 2, 2.0, 1.8, 2.2, 50, 1, gas, ["a reason"], View));

    [Fact]
    public void The_same_target_kind_and_pool_decided_later_with_another_gas_estimate_is_the_same_plan()
    {
        Assert.Empty(RehearsedPlan.Differences(Plan(), Plan(block: 12, gas: 95_000)));
    }

    [Fact]
    public void Every_field_of_the_calldata_and_the_kind_is_a_difference_naming_it()
    {
        var rehearsed = Plan();
        Assert.Equal([$"sqrtPriceX96 (the centre): rehearsed {BigInteger.Pow(2, 96)}, now {BigInteger.Pow(2, 96) + 1}"],
            RehearsedPlan.Differences(rehearsed, Plan(centre: BigInteger.Pow(2, 96) + 1)));
        Assert.Equal([$"sqrtPriceBoundX96 (the range): rehearsed {BigInteger.Pow(2, 95)}, now {BigInteger.Pow(2, 95) - 1}"],
            RehearsedPlan.Differences(rehearsed, Plan(bound: BigInteger.Pow(2, 95) - 1)));
        Assert.Equal(["fee (pips): rehearsed 3000, now 3100"], RehearsedPlan.Differences(rehearsed, Plan(fee: 3100)));
        Assert.Equal(["observation hint: rehearsed 7, now 8"], RehearsedPlan.Differences(rehearsed, Plan(hint: 8)));
        Assert.Equal(["kind: rehearsed Normal, now Urgent"], RehearsedPlan.Differences(rehearsed, Plan(kind: RebalanceKind.Urgent)));
        Assert.Equal(2, RehearsedPlan.Differences(rehearsed, Plan(fee: 3100, hint: 8)).Count);
    }

    [Fact]
    public void A_hold_now_or_another_pool_is_not_the_rehearsed_plan()
    {
        var hold = new Hold(PoolAddress, "BASE/USDQ", 11, HoldReason.InsideBand, "back inside the band");
        Assert.Equal(["the keeper now holds (InsideBand: back inside the band)"], RehearsedPlan.Differences(Plan(), hold));
        var other = Address.Parse("0x00000000000000000000000000000000000000bb");
        Assert.Equal([$"pool: rehearsed {PoolAddress}, now {other}"], RehearsedPlan.Differences(Plan(), Plan(pool: other)));
    }
}
