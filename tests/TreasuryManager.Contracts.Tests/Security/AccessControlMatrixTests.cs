using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Ethereum;
using TreasuryManager.Testing;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Contracts.Tests.Security;

/// <summary>
/// Every external state-changing function of TreasuryVault, ManagedPool, VolatilityOracle and OracleFeed × every role
/// (owner, guardian, keeper, reporter, stranger; the vault for pool functions; the oracle for feed functions). A denied
/// call is simulated (eth_call) and must revert with the custom error naming the caller; an allowed call is sent as a real
/// transaction (accounts) and must succeed and emit its event, or simulated (contract callers), or fail only for the
/// stated non-access reason.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class AccessControlMatrixTests(LocalNodeFixture node) : SecurityTest(node)
{
    private const string Ok = "ok";

    private static readonly Role[] Accounts = [Role.Owner, Role.Guardian, Role.Keeper, Role.Reporter, Role.Stranger];

    /// <summary>A function of the matrix: where it lives, its arguments, who may call it, how a denial reads.</summary>
    private sealed record Fn(
        string Name,
        Func<SecurityDeployment, Contract> Target,
        string Signature,
        Func<SecurityDeployment, Address, object?[]> Args,
        Role[] Allowed,
        string Denied,
        Role[] Roles,
        string? Event = null,
        Func<SecurityDeployment, Task>? Setup = null,
        Func<SecurityDeployment, Task>? Verify = null,
        IReadOnlyDictionary<Role, string>? AllowedFailure = null,
        bool SimulateOnly = false);

    private static Contract Vault(SecurityDeployment s) => s.D.Vault.Contract;
    private static Contract Pool(SecurityDeployment s) => s.D.Pool.Contract;
    private static Contract Oracle(SecurityDeployment s) => s.D.Oracle.Contract;

    private static Fn OwnerOnlyVault(string name, string signature, Func<SecurityDeployment, Address, object?[]> args, string @event = "PolicyUpdated") =>
        new($"Vault.{name}", Vault, signature, args, [Role.Owner], TreasuryVault.Errors.OwnableUnauthorizedAccount, Accounts, @event);

    private static Fn VaultOnlyPool(string name, string signature, Func<SecurityDeployment, Address, object?[]> args) =>
        new($"Pool.{name}", Pool, signature, args, [Role.Vault], ManagedPool.Errors.NotVault, [.. Accounts, Role.Vault]);

    private static readonly Fn[] Functions =
    [
        // ---- TreasuryVault: owner
        OwnerOnlyVault("setKeeper", "setKeeper(address,bool)", (s, _) => [s.D.Stranger.Address, true], "KeeperSet"),
        OwnerOnlyVault("setGuardian", "setGuardian(address,bool)", (s, _) => [s.D.Stranger.Address, true], "GuardianSet"),
        // zero: no manager registered in this deployment, so the call pushes nothing (the push itself: UniswapV3AccessTests)
        OwnerOnlyVault("setPositionManager", "setPositionManager(address)", (_, _) => [Address.Zero], "PositionManagerSet"),
        OwnerOnlyVault("registerPool", "registerPool(address,(address,address,uint32,uint32,uint16,uint16,uint24,uint24,uint32,uint32,uint32,uint16,uint16))",
            (s, _) => [s.SparePool.Address, s.D.Policy.ToAbi()], "PoolRegistered"),
        OwnerOnlyVault("setFeeds", "setFeeds(address,address,address)", (s, _) => [s.D.Pool.Address, s.Mock.Address, s.D.VolatilityFeed]),
        OwnerOnlyVault("setHeartbeat", "setHeartbeat(address,uint32)", (s, _) => [s.D.Pool.Address, new BigInteger(1800)]),
        OwnerOnlyVault("setTwapWindow", "setTwapWindow(address,uint32)", (s, _) => [s.D.Pool.Address, new BigInteger(900)]),
        OwnerOnlyVault("setMaxLoss", "setMaxLoss(address,uint16)", (s, _) => [s.D.Pool.Address, new BigInteger(50)]),
        OwnerOnlyVault("resetLossWindow", "resetLossWindow(address)", (s, _) => [s.D.Pool.Address], "LossWindowReset"),
        OwnerOnlyVault("setHedgeLimits", "setHedgeLimits(address,(uint128,uint128))",
            (s, _) => [s.D.Pool.Address, new TreasuryVault.HedgeLimits(1000, 4000).ToAbi()], "HedgeLimitsSet"),
        // the vault holds no quote in this deployment: a zero sweep passes the access check and succeeds
        OwnerOnlyVault("sweep", "sweep(address,uint256)", (s, _) => [s.D.Quote.Address, BigInteger.Zero], "Swept"),
        OwnerOnlyVault("setMaxTwapDeviation", "setMaxTwapDeviation(address,uint16)", (s, _) => [s.D.Pool.Address, new BigInteger(300)]),
        OwnerOnlyVault("setMaxSkew", "setMaxSkew(address,uint16)", (s, _) => [s.D.Pool.Address, new BigInteger(300)]),
        OwnerOnlyVault("setFeeBounds", "setFeeBounds(address,uint24,uint24)", (s, _) => [s.D.Pool.Address, new BigInteger(100), new BigInteger(20_000)]),
        OwnerOnlyVault("setWidthBounds", "setWidthBounds(address,uint32,uint32)", (s, _) => [s.D.Pool.Address, new BigInteger(50), new BigInteger(200_000)]),
        OwnerOnlyVault("setMinRebalanceInterval", "setMinRebalanceInterval(address,uint32)", (s, _) => [s.D.Pool.Address, new BigInteger(120)]),
        OwnerOnlyVault("setInventoryBounds", "setInventoryBounds(address,uint16,uint16)", (s, _) => [s.D.Pool.Address, new BigInteger(500), new BigInteger(9500)]),
        // the deployment turns inventory recovery on: the owner turns it off
        OwnerOnlyVault("setAllowInventoryRecovery", "setAllowInventoryRecovery(address,bool)", (s, _) => [s.D.Pool.Address, false]) with
            { Verify = async s => Assert.False((await s.D.Vault.PolicyOfAsync(s.D.Pool.Address)).AllowInventoryRecovery) },
        OwnerOnlyVault("deposit", "deposit(address,uint256,uint256)", (s, _) => [s.D.Pool.Address, s.D.BaseUnits(1m), s.D.QuoteUnits(2m)], "Deposited"),
        OwnerOnlyVault("withdraw", "withdraw(address,uint256,uint256,address)", (s, _) => [s.D.Pool.Address, s.D.BaseUnits(1m), s.D.QuoteUnits(2m), s.D.Owner.Address], "Withdrawn"),
        OwnerOnlyVault("unpause", "unpause()", (_, _) => [], "Unpaused") with { Setup = s => s.D.Vault.PauseAsync(s.D.Owner), Verify = async s => Assert.False((await s.D.Pool.GetStateAsync()).Paused) },
        OwnerOnlyVault("transferOwnership", "transferOwnership(address)", (s, _) => [s.D.Stranger.Address], "OwnershipTransferStarted"),
        new("Vault.acceptOwnership", Vault, "acceptOwnership()", (_, _) => [], [Role.Stranger], TreasuryVault.Errors.OwnableUnauthorizedAccount, Accounts, "OwnershipTransferred",
            Setup: s => s.D.Vault.TransferOwnershipAsync(s.D.Owner, s.D.Stranger.Address),
            Verify: async s => Assert.Equal(s.D.Stranger.Address, await s.D.Vault.OwnerAsync())),
        new("Vault.renounceOwnership", Vault, "renounceOwnership()", (_, _) => [], [Role.Owner], TreasuryVault.Errors.OwnableUnauthorizedAccount, Accounts,
            AllowedFailure: new Dictionary<Role, string> { [Role.Owner] = TreasuryVault.Errors.RenounceOwnershipDisabled }, SimulateOnly: true),
        // a zero market is a valid policy (no hedge), so the matrix needs no PerpMarket
        OwnerOnlyVault("setHedgePolicy", "setHedgePolicy(address,(address,uint128,uint32))",
            (s, _) => [s.D.Pool.Address, new TreasuryVault.HedgePolicy(Address.Zero, 0, 0).ToAbi()], "HedgePolicySet"),
        // without a hedge policy the owner passes the access check and meets NoHedgePolicy
        OwnerOnlyVault("closeHedge", "closeHedge(address)", (s, _) => [s.D.Pool.Address], "HedgeClosed") with
            { AllowedFailure = new Dictionary<Role, string> { [Role.Owner] = TreasuryVault.Errors.NoHedgePolicy } },
        // ---- TreasuryVault: guardian or owner
        new("Vault.pause", Vault, "pause()", (_, _) => [], [Role.Owner, Role.Guardian], TreasuryVault.Errors.NotGuardianOrOwner, Accounts, "Paused",
            Verify: async s => Assert.True((await s.D.Pool.GetStateAsync()).Paused)),
        new("Vault.emergencyWithdraw", Vault, "emergencyWithdraw(address)", (s, _) => [s.D.Pool.Address], [Role.Owner, Role.Guardian], TreasuryVault.Errors.NotGuardianOrOwner, Accounts, "EmergencyWithdrawn",
            Setup: s => s.D.Vault.PauseAsync(s.D.Guardian),
            Verify: async s => Assert.Equal(BigInteger.Zero, await s.D.Base.BalanceOfAsync(s.D.Pool.Address))),
        // ---- TreasuryVault: keeper
        new("Vault.rebalance", Vault, "rebalance(address,(uint160,uint160,uint24,uint16))", (s, _) => [s.D.Pool.Address, s.DefaultTarget.ToAbi()], [Role.Keeper], TreasuryVault.Errors.NotKeeper, Accounts,
            Setup: s => s.ReadyToRebalanceAsync(),
            Verify: async s => Assert.Equal(SqrtPriceGrid.RoundDown(s.DefaultTarget.SqrtPriceX96), (await s.D.Pool.GetStateAsync()).SqrtPriceX96)),

        new("Vault.adjustHedge", Vault, "adjustHedge(address,int256,int256)", (s, _) => [s.D.Pool.Address, BigInteger.One, BigInteger.Zero], [Role.Keeper], TreasuryVault.Errors.NotKeeper, Accounts,
            AllowedFailure: new Dictionary<Role, string> { [Role.Keeper] = TreasuryVault.Errors.NoHedgePolicy }),

        // ---- ManagedPool: open
        new("Pool.swapExactIn", Pool, "swapExactIn(bool,uint256,uint256,address,uint256)", (s, caller) => [true, s.D.BaseUnits(1m), BigInteger.Zero, caller, TreasuryDeployer.Deadline],
            [.. Accounts, Role.Vault], ManagedPool.Errors.NotVault, [.. Accounts, Role.Vault], "Swap",
            // the vault holds no base and approved nothing: the token refuses the transferFrom (not an access check)
            AllowedFailure: new Dictionary<Role, string> { [Role.Vault] = MintableERC20.Errors.ERC20InsufficientAllowance }),
        // (the vault sized the ring to 52 for the 600 s window at registration: 64 grows it)
        new("Pool.increaseObservationCardinality", Pool, "increaseObservationCardinality(uint16)", (_, _) => [new BigInteger(64)],
            [.. Accounts, Role.Vault], ManagedPool.Errors.NotVault, [.. Accounts, Role.Vault], "ObservationCardinalityIncreased"),
        // ---- ManagedPool: vault only
        VaultOnlyPool("reposition", "reposition(uint160,uint160,uint24,uint32,uint16)",
            (s, _) => [s.D.SqrtPriceX96(2.0m), s.D.SqrtPriceX96(1.9m), new BigInteger(2500), BigInteger.Zero, new BigInteger(65535)]),
        VaultOnlyPool("sync", "sync()", (_, _) => []),
        VaultOnlyPool("withdraw", "withdraw(address,uint256,uint256)", (s, _) => [s.D.Owner.Address, s.D.BaseUnits(1m), s.D.QuoteUnits(2m)]),
        VaultOnlyPool("emergencyWithdraw", "emergencyWithdraw(address)", (s, _) => [s.D.Owner.Address]),
        VaultOnlyPool("setPaused", "setPaused(bool)", (_, _) => [true]),

        // ---- VolatilityOracle
        new("Oracle.update", Oracle, "update(int256,int256)", (_, _) => [new BigInteger(201_000_000), new BigInteger(60_000_000)], [Role.Reporter], VolatilityOracle.Errors.NotReporter, Accounts, "Updated"),
        new("Oracle.setReporter", Oracle, "setReporter(address)", (s, _) => [s.D.Stranger.Address], [Role.Owner], VolatilityOracle.Errors.OwnableUnauthorizedAccount, Accounts, "ReporterSet",
            Verify: async s => Assert.Equal(s.D.Stranger.Address, await s.D.Oracle.ReporterAsync())),
        new("Oracle.transferOwnership", Oracle, "transferOwnership(address)", (s, _) => [s.D.Stranger.Address], [Role.Owner], VolatilityOracle.Errors.OwnableUnauthorizedAccount, Accounts, "OwnershipTransferStarted"),
        new("Oracle.acceptOwnership", Oracle, "acceptOwnership()", (_, _) => [], [Role.Stranger], VolatilityOracle.Errors.OwnableUnauthorizedAccount, Accounts, "OwnershipTransferred",
            Setup: s => s.D.Oracle.TransferOwnershipAsync(s.D.Owner, s.D.Stranger.Address)),
        // disabled: an oracle without an owner could never replace its reporter (view, like the vault's)
        new("Oracle.renounceOwnership", Oracle, "renounceOwnership()", (_, _) => [], [Role.Owner], VolatilityOracle.Errors.OwnableUnauthorizedAccount, Accounts,
            AllowedFailure: new Dictionary<Role, string> { [Role.Owner] = VolatilityOracle.Errors.RenounceOwnershipDisabled }, SimulateOnly: true),

        // ---- OracleFeed: its oracle only
        new("PriceFeed.record", s => new OracleFeed(s.D.Eth, s.D.PriceFeed).Contract, "record(int256,uint64)", (_, _) => [new BigInteger(1), new BigInteger(1)],
            [Role.Oracle], OracleFeed.Errors.NotOracle, [.. Accounts, Role.Oracle]),
        new("VolatilityFeed.record", s => new OracleFeed(s.D.Eth, s.D.VolatilityFeed).Contract, "record(int256,uint64)", (_, _) => [new BigInteger(1), new BigInteger(1)],
            [Role.Oracle], OracleFeed.Errors.NotOracle, [.. Accounts, Role.Oracle]),
    ];

    public static TheoryData<string, Role, string> Cases()
    {
        var data = new TheoryData<string, Role, string>();
        foreach (var fn in Functions)
            foreach (var role in fn.Roles)
                data.Add(fn.Name, role, !fn.Allowed.Contains(role) ? fn.Denied
                    : fn.AllowedFailure is not null && fn.AllowedFailure.TryGetValue(role, out var failure) ? $"{Ok} (fails: {failure})" : Ok);
        return data;
    }

    [Fact]
    public void The_matrix_covers_every_state_changing_function_of_the_abis()
    {
        // Every non-view function of the four ABIs appears in the matrix (renounceOwnership is view in the vault: listed anyway).
        var covered = Functions.Select(f => f.Name).ToHashSet();
        foreach (var (prefix, abi) in new[] { ("Vault", TreasuryVault.Abi), ("Pool", ManagedPool.Abi), ("Oracle", VolatilityOracle.Abi), ("PriceFeed", OracleFeed.Abi) })
            foreach (var f in abi.Functions.Where(f => f.StateMutability is "nonpayable" or "payable"))
                Assert.True(covered.Contains($"{prefix}.{f.Name}"), $"{prefix}.{f.Name} is missing from the access-control matrix");
        Assert.Equal(Functions.Sum(f => f.Roles.Length), Cases().Count());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Access(string function, Role role, string expected)
    {
        var fn = Functions.Single(f => f.Name == function);
        if (fn.Setup is not null) await fn.Setup(S);
        var contract = fn.Target(S);
        var caller = S.AddressOf(role);
        var args = fn.Args(S, caller);

        if (expected != Ok && !expected.StartsWith(Ok, StringComparison.Ordinal))
        {
            // Denied: the custom error names the caller.
            var reason = await Reverts.ExpectAsync(expected, () => contract.CallAsync(fn.Signature, args, caller));
            Assert.Equal(caller, (Address)reason.Arguments[0]!);
            return;
        }

        if (fn.AllowedFailure is not null && fn.AllowedFailure.TryGetValue(role, out var failure))
        {
            await Reverts.ExpectAsync(failure, () => contract.CallAsync(fn.Signature, args, caller));
            return;
        }

        var sender = S.Sender(role);
        if (sender is null || fn.SimulateOnly)
        {
            await contract.CallAsync(fn.Signature, args, caller); // passes the access check and succeeds
            return;
        }

        var receipt = await contract.SendAsync(sender, fn.Signature, args);
        Assert.True(receipt.Receipt.Succeeded);
        if (fn.Event is not null) Assert.Contains(receipt.Events, e => e.Name == fn.Event);
        if (fn.Verify is not null) await fn.Verify(S);
    }
}
