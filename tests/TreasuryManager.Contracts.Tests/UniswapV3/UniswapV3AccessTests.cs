using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Testing;
using E = TreasuryManager.Contracts.Bindings.UniswapV3PositionManager.Errors;

namespace TreasuryManager.Contracts.Tests.UniswapV3;

/// <summary>
/// The access-control matrix of UniswapV3PositionManager — the vault's roles (owner and guardian read from the vault, the
/// keeper role and the pause pushed by it, in the same transaction as its own change): owner-only policy and
/// funds, guardian-or-owner emergency withdrawal (while the vault is paused), keeper-only rebalance, callbacks only from the
/// pool being acted on. Each refused caller gets the error naming it, on a mined transaction that changes nothing; the
/// role's holder passes. Pause and emergency withdrawal cover the v3 position.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class UniswapV3AccessTests(LocalNodeFixture node) : UniswapV3Test(node)
{
    public static TheoryData<string, Role> Refused => new()
    {
        { "registerPool", Role.Guardian }, { "registerPool", Role.Keeper }, { "registerPool", Role.Stranger },
        { "setPolicy", Role.Guardian }, { "setPolicy", Role.Keeper }, { "setPolicy", Role.Stranger },
        { "resetLossWindow", Role.Guardian }, { "resetLossWindow", Role.Keeper }, { "resetLossWindow", Role.Stranger },
        { "deposit", Role.Guardian }, { "deposit", Role.Keeper }, { "deposit", Role.Stranger },
        { "withdraw", Role.Guardian }, { "withdraw", Role.Keeper }, { "withdraw", Role.Stranger },
        { "emergencyWithdraw", Role.Keeper }, { "emergencyWithdraw", Role.Reporter }, { "emergencyWithdraw", Role.Stranger },
        { "rebalance", Role.Owner }, { "rebalance", Role.Guardian }, { "rebalance", Role.Reporter }, { "rebalance", Role.Stranger },
    };

    private AccountSender SenderOf(Role role) => role switch
    {
        Role.Owner => D.Owner,
        Role.Guardian => D.Guardian,
        Role.Keeper => D.Keeper,
        Role.Reporter => D.Reporter,
        _ => D.Stranger,
    };

    private (string Signature, object?[] Args) Call(string function) => function switch
    {
        "registerPool" => ("registerPool(address,((address,address,uint32,uint32,uint16,uint16,uint24,uint24,uint32,uint32,uint32,uint16,uint16),uint16,uint16,bool))", [S.Pool.Address, S.V3.Policy.ToAbi()]),
        "setPolicy" => ("setPolicy(address,((address,address,uint32,uint32,uint16,uint16,uint24,uint24,uint32,uint32,uint32,uint16,uint16),uint16,uint16,bool))", [S.Pool.Address, S.V3.Policy.ToAbi()]),
        "resetLossWindow" => ("resetLossWindow(address)", [S.Pool.Address]),
        "deposit" => ("deposit(address,uint256,uint256)", [S.Pool.Address, BigInteger.One, BigInteger.One]),
        "withdraw" => ("withdraw(address,uint256,uint256,address)", [S.Pool.Address, BigInteger.One, BigInteger.One, D.Stranger.Address]),
        "emergencyWithdraw" => ("emergencyWithdraw(address)", [S.Pool.Address]),
        "rebalance" => ("rebalance(address,(int24,int24,bool,uint128,uint16))", [S.Pool.Address, S.DefaultTarget.ToAbi()]),
        _ => throw new ArgumentOutOfRangeException(nameof(function), function, "not a manager function"),
    };

    private static string ExpectedError(string function) => function switch
    {
        "emergencyWithdraw" => E.NotGuardianOrOwner,
        "rebalance" => E.NotKeeper,
        _ => E.OwnableUnauthorizedAccount,
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_caller_without_the_role_is_refused_with_the_error_naming_it_and_nothing_changes(string function, Role role)
    {
        if (function == "emergencyWithdraw") await D.Vault.PauseAsync(D.Guardian); // the role check, not the pause, refuses
        await S.ReadyAsync();
        var sender = SenderOf(role);
        var (signature, args) = Call(function);
        var before = await S.CaptureAsync();
        var reason = await Reverts.ExpectAsync(ExpectedError(function), () => S.Manager.Contract.SendAsync(sender, signature, args));
        Assert.Equal(sender.Address, (Address)reason.Arguments["account"]!);
        var block = await D.Eth.BlockNumberAsync();
        await Assert.ThrowsAsync<ContractRevertException>(() => S.Manager.Contract.SendAsync(sender, signature, args, gasLimit: 2_000_000));
        Assert.Equal(block + 1, await D.Eth.BlockNumberAsync());
        Assert.Equal(before, await S.CaptureAsync());
    }

    [Fact]
    public async Task The_role_holders_pass()
    {
        await S.ReadyAsync();
        await S.Manager.SimulateRebalanceAsync(D.Keeper.Address, S.Pool.Address, S.DefaultTarget);
        await S.Manager.SimulateSetPolicyAsync(D.Owner.Address, S.Pool.Address, S.V3.Policy);
        await S.Manager.SimulateResetLossWindowAsync(D.Owner.Address, S.Pool.Address);
        await S.Manager.SimulateDepositAsync(D.Owner.Address, S.Pool.Address, 1, 1);
        await S.Manager.SimulateWithdrawAsync(D.Owner.Address, S.Pool.Address, 1, 1, D.Owner.Address);
        await D.Vault.PauseAsync(D.Guardian);
        await S.Manager.SimulateEmergencyWithdrawAsync(D.Guardian.Address, S.Pool.Address);
        await S.Manager.SimulateEmergencyWithdrawAsync(D.Owner.Address, S.Pool.Address);
    }

    [Fact]
    public async Task Roles_are_the_vaults_own_a_keeper_revoked_in_the_vault_is_refused_at_once()
    {
        await S.ReadyAsync();
        await D.Vault.SetKeeperAsync(D.Owner, D.Keeper.Address, false);
        var reason = await S.AssertRebalanceRejectedAsync(S.DefaultTarget, E.NotKeeper);
        Assert.Equal(D.Keeper.Address, (Address)reason.Arguments["account"]!);
        await D.Vault.SetKeeperAsync(D.Owner, D.Stranger.Address, true);
        await S.Manager.SimulateRebalanceAsync(D.Stranger.Address, S.Pool.Address, S.DefaultTarget);
    }

    /// <summary>The vault is the one source of the keeper role and the pause: the manager's copy moves with every change
    /// in the same transaction, and only the vault can move it (NotVault for anyone else, the owner included).</summary>
    [Fact]
    public async Task The_manager_keeps_the_vaults_keepers_and_pause_and_accepts_them_only_from_the_vault()
    {
        Assert.Equal(S.Manager.Address, await D.Vault.PositionManagerAsync());
        foreach (var account in new[] { D.Keeper.Address, D.Stranger.Address, D.Owner.Address, D.Guardian.Address })
            Assert.Equal(await D.Vault.IsKeeperAsync(account), await S.Manager.IsKeeperAsync(account));
        Assert.False(await S.Manager.PausedAsync());
        await D.Vault.SetKeeperAsync(D.Owner, D.Stranger.Address, true);
        Assert.True(await S.Manager.IsKeeperAsync(D.Stranger.Address));
        await D.Vault.SetKeeperAsync(D.Owner, D.Stranger.Address, false);
        Assert.False(await S.Manager.IsKeeperAsync(D.Stranger.Address));
        await D.Vault.PauseAsync(D.Guardian);
        Assert.True(await S.Manager.PausedAsync());
        await D.Vault.UnpauseAsync(D.Owner);
        Assert.False(await S.Manager.PausedAsync());

        foreach (var sender in new[] { D.Owner, D.Guardian, D.Keeper, D.Stranger })
        {
            foreach (var (signature, args) in new (string, object?[])[]
                     {
                         ("syncKeeper(address,bool)", [sender.Address, true]), ("syncPaused(bool)", [true]), ("retire()", []),
                     })
            {
                var reason = await Reverts.ExpectAsync(E.NotVault, () => S.Manager.Contract.SendAsync(sender, signature, args));
                Assert.Equal(sender.Address, (Address)reason.Arguments["caller"]!);
            }
        }
        Assert.False(await S.Manager.PausedAsync());
        Assert.False(await S.Manager.IsKeeperAsync(D.Stranger.Address));
        await S.ReadyAsync();
        await S.Manager.SimulateRebalanceAsync(D.Keeper.Address, S.Pool.Address, S.DefaultTarget);
    }

    /// <summary>A manager the vault no longer pushes to cannot act on a stale copy: registering another (or none) retires
    /// it, paused for good — registering it again and unpausing the vault does not revive it.</summary>
    [Fact]
    public async Task A_replaced_manager_is_retired_and_refuses_rebalances_for_good()
    {
        await S.ReadyAsync();
        await D.Vault.SetPositionManagerAsync(D.Owner, Address.Zero);
        Assert.True(await S.Manager.PausedAsync());
        await S.AssertRebalanceRejectedAsync(S.DefaultTarget, E.EnforcedPause);
        await D.Vault.SetPositionManagerAsync(D.Owner, S.Manager.Address);
        await D.Vault.PauseAsync(D.Guardian);
        await D.Vault.UnpauseAsync(D.Owner);
        Assert.False(await D.Vault.PausedAsync());
        Assert.True(await S.Manager.PausedAsync());
        await S.AssertRebalanceRejectedAsync(S.DefaultTarget, E.EnforcedPause);
        // the owner still withdraws its funds
        await S.Manager.SimulateWithdrawAsync(D.Owner.Address, S.Pool.Address, 1, 1, D.Owner.Address);
    }

    [Fact]
    public async Task Uniswap_callbacks_from_anyone_but_the_pool_being_rebalanced_are_refused_with_UnexpectedCallback()
    {
        foreach (var from in new[] { D.Stranger.Address, S.Pool.Address })
        {
            var e = await Assert.ThrowsAsync<ContractRevertException>(() => S.Manager.SimulateUniswapV3MintCallbackAsync(from, 1, 1, []));
            Assert.Equal(E.UnexpectedCallback, Reverts.Decode(e).ErrorName);
            e = await Assert.ThrowsAsync<ContractRevertException>(() => S.Manager.SimulateUniswapV3SwapCallbackAsync(from, 1, 0, []));
            Assert.Equal(E.UnexpectedCallback, Reverts.Decode(e).ErrorName);
        }
    }

    [Fact]
    public async Task While_the_vault_is_paused_rebalances_are_refused_with_EnforcedPause()
    {
        await S.ReadyAsync();
        await D.Vault.PauseAsync(D.Guardian);
        await S.AssertRebalanceRejectedAsync(S.DefaultTarget, E.EnforcedPause);
        await D.Vault.UnpauseAsync(D.Owner);
        await S.Manager.SimulateRebalanceAsync(D.Keeper.Address, S.Pool.Address, S.DefaultTarget);
    }

    [Fact]
    public async Task Emergency_withdrawal_sends_the_whole_position_and_idle_holdings_to_the_vaults_owner_only_while_paused()
    {
        var refused = await Reverts.ExpectAsync(E.ExpectedPause, () => S.Manager.EmergencyWithdrawAsync(D.Guardian, S.Pool.Address));
        Assert.NotNull(refused);
        await D.Vault.PauseAsync(D.Guardian);
        var before = await S.CaptureAsync();
        var ownerBase = await D.Base.BalanceOfAsync(D.Owner.Address);
        var ownerQuote = await S.V3.Quote.BalanceOfAsync(D.Owner.Address);

        var receipt = await S.Manager.EmergencyWithdrawAsync(D.Guardian, S.Pool.Address);
        var e = Assert.Single(UniswapV3PositionManager.EmergencyWithdrawnEvents(receipt));
        Assert.Equal(D.Owner.Address, e.To);
        Assert.Equal(ownerBase + e.Amount0, await D.Base.BalanceOfAsync(D.Owner.Address));
        Assert.Equal(ownerQuote + e.Amount1, await S.V3.Quote.BalanceOfAsync(D.Owner.Address));
        Assert.True(e.Amount0 > before.Position.Idle0 && e.Amount1 > before.Position.Idle1, "the position's tokens came out, not only the idle ones");

        var after = await S.CaptureAsync();
        Assert.Equal(BigInteger.Zero, after.Position.Liquidity);
        Assert.Equal((BigInteger.Zero, BigInteger.Zero), (after.Position.Idle0, after.Position.Idle1));
        Assert.Equal(S.ThirdPartyLiquidity, after.PoolLiquidity); // only the other LP's is left in the pool
        Assert.Equal((BigInteger.Zero, BigInteger.Zero), (after.ManagerBase, after.ManagerQuote)); // nothing of the pool's left behind
        Assert.Equal(BigInteger.Zero, after.LossWindow.StartTime);
    }

    [Fact]
    public async Task The_owner_withdraws_beyond_the_idle_holdings_by_burning_the_position_first()
    {
        var before = await S.CaptureAsync();
        var strangerBase = await D.Base.BalanceOfAsync(D.Stranger.Address);
        var amount0 = before.Position.Idle0 + D.BaseUnits(1_000m);
        var receipt = await S.Manager.WithdrawAsync(D.Owner, S.Pool.Address, amount0, 0, D.Stranger.Address);
        Assert.Single(UniswapV3PositionManager.WithdrawnEvents(receipt));
        Assert.Equal(strangerBase + amount0, await D.Base.BalanceOfAsync(D.Stranger.Address));
        var after = await S.CaptureAsync();
        Assert.Equal(BigInteger.Zero, after.Position.Liquidity); // burnt into the idle holdings, re-minted by the next rebalance
        // the manager's tokens are exactly the pool's recorded idle holdings, before (the position's are in the pool) and after
        Assert.Equal(before.ManagerBase, before.Position.Idle0);
        Assert.Equal((after.Position.Idle0, after.Position.Idle1), (after.ManagerBase, after.ManagerQuote));
        Assert.True(after.Position.Idle1 > before.Position.Idle1, "the position's quote came back into the idle holdings");
    }
}
