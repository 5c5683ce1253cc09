using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Models.Policy;
using TreasuryManager.Testing;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Contracts.Tests.Security;

/// <summary>
/// No freeze in a crash (issue 13 item 4), on-chain. A crash pushes the pool onto its range's lower bound (swaps stop
/// there) while the oracle falls far beyond it: the pool is nearly all base (outside the inventory bounds) and its TWAP
/// sits at the edge, so before this work every rebalance reverted (InventoryOutOfBounds, TwapDeviation) and the keeper
/// could not re-centre the pool on the oracle. Now (a) the policy's allowInventoryRecovery lets a rebalance run outside
/// the inventory bounds — the skew must still point toward the target share, and the loss budget still applies — and
/// (b) the TWAP check is exempt exactly when the spot sat on a bound of its range before the reposition and the oracle
/// lies beyond that bound. Guard-matrix style: each rejection is mined and leaves the pool as it was, the case just
/// inside passes. Default policy: TWAP 600 s ±200 bps, skew ≤ 200 bps, base share 10%–90%, loss budget 1%.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class CrashRecoveryTests(LocalNodeFixture node) : SecurityTest(node)
{
    private const int PriceScaleExp = 6 - 18 - 8;

    /// <summary>The 8-decimal oracle answer whose pool price is at most the price of sqrt price <paramref name="sqrtPriceX96"/> (floor).</summary>
    private static BigInteger AnswerAt(BigInteger sqrtPriceX96) => ((sqrtPriceX96 * sqrtPriceX96) >> 64) * BigInteger.Pow(10, -PriceScaleExp) >> 128;

    /// <summary>The keeper's target centred <paramref name="factor"/> × the oracle answer (bound <paramref name="boundFactor"/> × the centre).</summary>
    private TreasuryVault.Target TargetAt(BigInteger answer, decimal factor, decimal boundFactor = 1.05m)
    {
        var centre = (decimal)answer / 100_000_000m * factor;
        return S.Target(centre, centre * boundFactor, 2500);
    }

    /// <summary>A trader sells base until the swap stops on the pool's lower bound. Returns the pool then.</summary>
    private async Task<ManagedPool.PoolState> CrashToLowerBoundAsync()
    {
        await D.Base.MintAsync(D.Owner, D.Trader.Address, D.BaseUnits(1_000_000m));
        await D.SwapAsync(true, D.BaseUnits(1_000_000m)); // more than the curve takes: the swap ends on the bound
        var st = await D.Pool.GetStateAsync();
        Assert.Equal(st.SqrtPriceLowX96, st.SqrtPriceX96);
        return st;
    }

    /// <summary>Crash, then the oracle <paramref name="oracleFactor"/> × the edge's price, after the TWAP window (the TWAP is the edge's).</summary>
    private async Task<(ManagedPool.PoolState State, BigInteger Answer)> CrashAsync(decimal oracleFactor)
    {
        var st = await CrashToLowerBoundAsync();
        var answer = new BigInteger((decimal)AnswerAt(st.SqrtPriceLowX96) * oracleFactor);
        await S.ReadyToRebalanceAsync(answer);
        return (st, answer);
    }

    [Fact]
    public async Task After_a_crash_the_keeper_recentres_on_the_oracle_only_toward_the_target_share()
    {
        // a window started at the balanced pool: the crash's loss against holding is far beyond its 1% budget
        await S.ReadyToRebalanceAsync();
        await D.Vault.RebalanceAsync(D.Keeper, D.Pool.Address, S.DefaultTarget);
        var (_, answer) = await CrashAsync(0.7m); // oracle 30% below the edge
        Assert.True((await D.Vault.PolicyOfAsync(D.Pool.Address)).AllowInventoryRecovery); // the deployment's default
        var share = await S.ShareBpsAsync();
        Assert.True(share > 9900, $"share {share}"); // all base, far above maxBaseShareBps 9000

        // the loss budget still applies: the window's loss is refused until the owner resets it (or it rolls over)
        var loss = await S.AssertRebalanceRejectedAsync(TargetAt(answer, 1m), TreasuryVault.Errors.LossBudgetExceeded);
        Assert.True(loss.Arg("loss") > loss.Arg("budget"));
        await D.Vault.ResetLossWindowAsync(D.Owner, D.Pool.Address);

        // a skew away from the target share (centre 1% above the oracle, base already above target) is refused
        var away = await S.AssertRebalanceRejectedAsync(TargetAt(answer, 1.01m), TreasuryVault.Errors.SkewAgainstInventory);
        Assert.Equal(new BigInteger(share), away.Arg("shareBps"));
        Assert.Equal(new BigInteger(5000), away.Arg("targetShareBps"));
        Assert.Equal(BigInteger.Zero, away.Arg("allowedBps"));

        // without the flag: InventoryOutOfBounds, as before
        await D.Vault.SetAllowInventoryRecoveryAsync(D.Owner, D.Pool.Address, false);
        var refused = await S.AssertRebalanceRejectedAsync(TargetAt(answer, 1m), TreasuryVault.Errors.InventoryOutOfBounds);
        Assert.Equal(new BigInteger(share), refused.Arg("shareBps"));
        Assert.Equal(new BigInteger(9000), refused.Arg("max"));
        await D.Vault.SetAllowInventoryRecoveryAsync(D.Owner, D.Pool.Address, true);

        // with it: a skew toward the target (centre 1% below the oracle) and one centred on the oracle both pass
        await D.Vault.SimulateRebalanceAsync(D.Keeper.Address, D.Pool.Address, TargetAt(answer, 0.99m));
        var receipt = await D.Vault.RebalanceAsync(D.Keeper, D.Pool.Address, TargetAt(answer, 1m));
        var ev = Assert.Single(TreasuryVault.RebalancedEvents(receipt));
        Assert.Equal(BigInteger.Zero, ev.SkewBps);
        var after = await D.Pool.GetStateAsync();
        Assert.Equal(SqrtPriceGrid.RoundDown(TargetAt(answer, 1m).SqrtPriceX96), after.SqrtPriceX96);
        // the TWAP it skipped lay far from the oracle (the edge's, 30% above)
        var policy = await D.Vault.PolicyOfAsync(D.Pool.Address);
        var oraclePrice = VaultPolicyMath.PriceX128(answer, PriceScaleExp)!.Value;
        Assert.True(VaultPolicyMath.TwapDeviationLog(ev.TwapLogPrice, oraclePrice) > policy.MaxTwapDeviationLog);
    }

    [Fact]
    public async Task The_TWAP_check_is_exempt_only_when_the_spot_sat_on_the_bound_and_the_oracle_lies_beyond_it()
    {
        await S.ReadyToRebalanceAsync();
        await D.Vault.ResetLossWindowAsync(D.Owner, D.Pool.Address); // the next rebalance starts a window: only the TWAP rule can refuse
        var snapshot = await Node.SnapshotAsync();

        // pinned: spot on the lower bound, oracle 30% below it: the rebalance passes
        var (pinned, answer) = await CrashAsync(0.7m);
        Assert.True(VaultPolicyMath.TwapCheckExempt(pinned.SqrtPriceX96, pinned.SqrtPriceLowX96, pinned.SqrtPriceHighX96,
            VaultPolicyMath.PriceX128(answer, PriceScaleExp)!.Value));
        await D.Vault.SimulateRebalanceAsync(D.Keeper.Address, D.Pool.Address, TargetAt(answer, 1m));

        // one wei inside the bound (a trader stops one wei short of it), the same oracle: TwapDeviation
        await RevertToAsync(snapshot);
        snapshot = await Node.SnapshotAsync();
        await D.Base.MintAsync(D.Owner, D.Trader.Address, D.BaseUnits(1_000_000m));
        var inside = await SwapToOneWeiAboveLowerBoundAsync();
        Assert.Equal(inside.SqrtPriceLowX96 + 1, inside.SqrtPriceX96);
        await S.ReadyToRebalanceAsync(answer);
        Assert.False(VaultPolicyMath.TwapCheckExempt(inside.SqrtPriceX96, inside.SqrtPriceLowX96, inside.SqrtPriceHighX96,
            VaultPolicyMath.PriceX128(answer, PriceScaleExp)!.Value));
        await S.AssertRebalanceRejectedAsync(TargetAt(answer, 1m), TreasuryVault.Errors.TwapDeviation);

        // on the bound but the oracle on the other side of it (3% above the edge, beyond the 2% TWAP bound): TwapDeviation
        await RevertToAsync(snapshot);
        var (edge, above) = await CrashAsync(1.03m);
        Assert.False(VaultPolicyMath.TwapCheckExempt(edge.SqrtPriceX96, edge.SqrtPriceLowX96, edge.SqrtPriceHighX96,
            VaultPolicyMath.PriceX128(above, PriceScaleExp)!.Value));
        // (skew 0 toward nothing: at 3% above the edge the pool is still all base, so the centre may sit on the oracle)
        await S.AssertRebalanceRejectedAsync(TargetAt(above, 1m), TreasuryVault.Errors.TwapDeviation);
    }

    [Fact]
    public async Task The_TWAP_exemption_holds_on_the_upper_bound_too()
    {
        // buy base until the swap stops on the upper bound; oracle 30% above it: the curve holds only quote
        await S.ReadyToRebalanceAsync();
        await D.Vault.ResetLossWindowAsync(D.Owner, D.Pool.Address);
        await D.Quote.MintAsync(D.Owner, D.Trader.Address, D.QuoteUnits(2_000_000m));
        await D.SwapAsync(false, D.QuoteUnits(2_000_000m));
        var st = await D.Pool.GetStateAsync();
        Assert.Equal(st.SqrtPriceHighX96, st.SqrtPriceX96);
        var answer = new BigInteger((decimal)AnswerAt(st.SqrtPriceHighX96) * 1.3m) + 1;
        await S.ReadyToRebalanceAsync(answer);
        Assert.InRange(await S.ShareBpsAsync(), 0, 999); // below minBaseShareBps 1000 (the base left is the deposit's unfitted surplus)
        // centred on the oracle, the lower bound 5% below (the range fitted to the quote it holds)
        await D.Vault.SimulateRebalanceAsync(D.Keeper.Address, D.Pool.Address, TargetAt(answer, 1m, 0.95m));
        // a skew away from the target (below the oracle: the pool needs base, so the centre may only sit above)
        await S.AssertRebalanceRejectedAsync(TargetAt(answer, 0.99m, 0.95m), TreasuryVault.Errors.SkewAgainstInventory);
    }

    private async Task RevertToAsync(string snapshot)
    {
        await Node.RevertAsync(snapshot);
        await S.ResynchroniseNoncesAsync();
    }

    /// <summary>
    /// Sells the largest amount of base that leaves the spot above the lower bound (a binary search on quoteExactIn; one
    /// base wei moves the sqrt price by far less than one wei here, so the spot lands exactly one wei above the bound).
    /// </summary>
    private async Task<ManagedPool.PoolState> SwapToOneWeiAboveLowerBoundAsync()
    {
        var low = (await D.Pool.GetStateAsync()).SqrtPriceLowX96;
        BigInteger lo = 1, hi = D.BaseUnits(1_000_000m); // quote(lo) stays above the bound, quote(hi) reaches it
        Assert.Equal(low, (await D.Pool.QuoteExactInAsync(true, hi)).SqrtPriceAfterX96);
        while (hi - lo > 1)
        {
            var mid = (lo + hi) / 2;
            if ((await D.Pool.QuoteExactInAsync(true, mid)).SqrtPriceAfterX96 > low) lo = mid;
            else hi = mid;
        }
        await D.SwapAsync(true, lo);
        return await D.Pool.GetStateAsync();
    }
}
