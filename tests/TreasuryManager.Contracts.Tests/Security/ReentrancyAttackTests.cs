using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Ethereum;
using TreasuryManager.Testing;
using TreasuryManager.TestContracts;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Contracts.Tests.Security;

/// <summary>
/// Re-entrancy through a token: a pool whose quote token (ReentrantToken, 6 decimals) calls back into the pool or the
/// vault from inside every transfer. Bubbled, the re-entry's error aborts the outer call and nothing changes; swallowed,
/// the outer call completes alone, the re-entry is recorded as refused, and the books equal the balances.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class ReentrancyAttackTests(LocalNodeFixture node) : SecurityTest(node)
{
    private ReentrantToken _token = null!;
    private ManagedPool _pool = null!;

    private async Task DeployAsync()
    {
        _token = await ReentrantToken.DeployAsync(D.Owner, D.Artifact(ReentrantToken.ArtifactName), "Re-entrant", "REN", 6);
        _pool = await S.DeployRegisteredPoolAsync(D.Base, new MintableERC20(D.Eth, _token.Address));
    }

    /// <summary>The re-entered call: name → (target, call data, expected error).</summary>
    private (Address Target, byte[] Data, string Error) Reentry(string name) => name switch
    {
        "pool.swapExactIn" => (_pool.Address, ManagedPool.EncodeSwapExactIn(true, D.BaseUnits(1m), 0, _token.Address, TreasuryDeployer.Deadline), ManagedPool.Errors.ReentrancyGuardReentrantCall),
        "pool.increaseObservationCardinality" => (_pool.Address, ManagedPool.EncodeIncreaseObservationCardinality(64), ManagedPool.Errors.ReentrancyGuardReentrantCall),
        "pool.sync" => (_pool.Address, ManagedPool.EncodeSync(), ManagedPool.Errors.NotVault),
        "vault.withdraw" => (D.Vault.Address, TreasuryVault.EncodeWithdraw(_pool.Address, 0, 1, _token.Address), TreasuryVault.Errors.OwnableUnauthorizedAccount),
        "vault.rebalance" => (D.Vault.Address, TreasuryVault.EncodeRebalance(_pool.Address, S.DefaultTarget), TreasuryVault.Errors.NotKeeper),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private Task<ContractReceipt> OuterSwapAsync(bool zeroForOne) =>
        _pool.SwapExactInAsync(D.Trader, zeroForOne, zeroForOne ? D.BaseUnits(10m) : D.QuoteUnits(20m), 0, D.Trader.Address, TreasuryDeployer.Deadline);

    /// <summary>The outer swap with a generous fixed gas limit: with a swallowed re-entry, a gas estimate would find the
    /// smallest limit at which the swap succeeds — the one where the inner call runs out of gas — and hide its real error.</summary>
    private Task<ContractReceipt> OuterSwapWithGasAsync(bool zeroForOne) =>
        _pool.Contract.SendAsync(D.Trader, "swapExactIn(bool,uint256,uint256,address,uint256)",
            [zeroForOne, zeroForOne ? D.BaseUnits(10m) : D.QuoteUnits(20m), BigInteger.Zero, D.Trader.Address, TreasuryDeployer.Deadline], gasLimit: 3_000_000);

    public static TheoryData<bool, string> Cases()
    {
        var data = new TheoryData<bool, string>();
        foreach (var zeroForOne in new[] { true, false }) // the token re-enters on the payout (true) or on the pull (false)
            foreach (var name in new[] { "pool.swapExactIn", "pool.increaseObservationCardinality", "pool.sync", "vault.withdraw", "vault.rebalance" })
                data.Add(zeroForOne, name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_reentry_during_a_swap_is_refused_and_aborts_the_swap(bool zeroForOne, string reentered)
    {
        await DeployAsync();
        var (target, data, error) = Reentry(reentered);
        await _token.ArmAsync(D.Owner, target, data, false);
        var before = await S.CaptureAsync(_pool);
        await Reverts.ExpectAsync(error, () => OuterSwapAsync(zeroForOne));
        Assert.Equal(before, await S.CaptureAsync(_pool));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_swallowed_reentry_fails_alone_and_the_swap_stays_consistent(bool zeroForOne, string reentered)
    {
        await DeployAsync();
        var (target, data, error) = Reentry(reentered);
        await _token.ArmAsync(D.Owner, target, data, true);
        var before = await S.CaptureAsync(_pool);
        var traderBase = await D.Base.BalanceOfAsync(D.Trader.Address);
        var traderQuote = await _token.BalanceOfAsync(D.Trader.Address);

        var receipt = await OuterSwapWithGasAsync(zeroForOne);

        Assert.Equal(BigInteger.One, await _token.AttemptsAsync());
        Assert.Equal(error, RevertDecoder.Decode(await _token.LastRevertDataAsync(), Reverts.AllAbis).ErrorName);
        var swap = Assert.Single(ManagedPool.SwapEvents(receipt)); // one swap only: the inner one never ran
        var after = await S.CaptureAsync(_pool);
        Assert.Equal(after.Balance0, after.State.Reserve0);
        Assert.Equal(after.Balance1, after.State.Reserve1);
        Assert.Equal(swap.SqrtPriceX96, after.State.SqrtPriceX96);
        Assert.Equal(before.State.LastRepositionTime, after.State.LastRepositionTime);
        var (inDelta, outDelta) = zeroForOne
            ? (traderBase - await D.Base.BalanceOfAsync(D.Trader.Address), await _token.BalanceOfAsync(D.Trader.Address) - traderQuote)
            : (traderQuote - await _token.BalanceOfAsync(D.Trader.Address), await D.Base.BalanceOfAsync(D.Trader.Address) - traderBase);
        Assert.Equal(swap.AmountIn, inDelta);
        Assert.Equal(swap.AmountOut, outDelta);
        Assert.Equal(zeroForOne ? before.State.Reserve0 + swap.AmountIn : before.State.Reserve0 - swap.AmountOut, after.State.Reserve0);
    }

    [Fact]
    public async Task A_reentry_during_a_vault_withdrawal_is_refused_and_an_emergency_withdrawal_still_takes_the_other_token()
    {
        await DeployAsync();
        var (target, data, _) = Reentry("pool.swapExactIn");
        await _token.ArmAsync(D.Owner, target, data, false);
        var before = await S.CaptureAsync(_pool);
        await Reverts.ExpectAsync(ManagedPool.Errors.ReentrancyGuardReentrantCall,
            () => D.Vault.WithdrawAsync(D.Owner, _pool.Address, 0, D.QuoteUnits(1m), D.Owner.Address));
        Assert.Equal(before, await S.CaptureAsync(_pool));

        // The re-entering token's transfer reverts; the emergency withdrawal is no longer all-or-nothing: the base leaves
        // for the owner, the blocked quote stays in the pool as its reserve (amount 0), and nothing re-entered.
        await D.Vault.PauseAsync(D.Guardian);
        var ownerBase = await D.Base.BalanceOfAsync(D.Owner.Address);
        var receipt = await D.Vault.EmergencyWithdrawAsync(D.Guardian, _pool.Address);
        var e = Assert.Single(TreasuryVault.EmergencyWithdrawnEvents(receipt));
        Assert.Equal(before.Balance0, e.Amount0);
        Assert.Equal(BigInteger.Zero, e.Amount1);
        Assert.Equal(ownerBase + before.Balance0, await D.Base.BalanceOfAsync(D.Owner.Address));
        var after = await S.CaptureAsync(_pool);
        Assert.Equal(BigInteger.Zero, after.Balance0);
        Assert.Equal(before.Balance1, after.Balance1);
        Assert.Equal((BigInteger.Zero, before.Balance1, BigInteger.Zero), (after.State.Reserve0, after.State.Reserve1, after.State.Liquidity));

        // once the token lets go, a second emergency withdrawal takes the rest
        await _token.DisarmAsync(D.Owner);
        e = Assert.Single(TreasuryVault.EmergencyWithdrawnEvents(await D.Vault.EmergencyWithdrawAsync(D.Guardian, _pool.Address)));
        Assert.Equal((BigInteger.Zero, before.Balance1), (e.Amount0, e.Amount1));
        Assert.Equal(BigInteger.Zero, (await S.CaptureAsync(_pool)).Balance1);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_keeper_contract_repositioning_in_the_middle_of_a_swap_leaves_the_books_consistent(bool zeroForOne)
    {
        // Finding (documented, not changed): ManagedPool.reposition takes no re-entrancy lock (the vault's NatSpec says the
        // pool "has its own lock"; swaps, sync, withdrawals and setPaused do). A keeper that is a contract getting control
        // during a swap's transfer (here the token itself, made a keeper) can rebalance mid-swap. It is harmless: the swap
        // writes its whole state (observation, price, reserves) before any token moves, and reposition moves no token and
        // passes every vault guard — the result is the same as the rebalance right after the swap. This test pins that.
        await DeployAsync();
        await S.ReadyToRebalanceAsync();
        await D.Vault.SetKeeperAsync(D.Owner, _token.Address, true);
        var quote = await _pool.QuoteExactInAsync(zeroForOne, zeroForOne ? D.BaseUnits(10m) : D.QuoteUnits(20m));
        await _token.ArmAsync(D.Owner, D.Vault.Address, TreasuryVault.EncodeRebalance(_pool.Address, S.DefaultTarget), true);

        var receipt = await OuterSwapWithGasAsync(zeroForOne);

        Assert.Equal(BigInteger.One, await _token.AttemptsAsync());
        Assert.Empty(await _token.LastRevertDataAsync()); // the inner rebalance succeeded
        var swap = Assert.Single(ManagedPool.SwapEvents(receipt));
        Assert.Equal(quote.AmountOut, swap.AmountOut); // priced on the curve before the reposition
        var after = await S.CaptureAsync(_pool);
        Assert.Equal(SqrtPriceGrid.RoundDown(S.DefaultTarget.SqrtPriceX96), after.State.SqrtPriceX96);
        Assert.True(after.State.LastRepositionTime > 0);
        Assert.Equal(after.Balance0, after.State.Reserve0);
        Assert.Equal(after.Balance1, after.State.Reserve1);
    }
}
