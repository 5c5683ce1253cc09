using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Testing;
using TreasuryManager.TestContracts;

namespace TreasuryManager.Contracts.Tests.Security;

/// <summary>
/// The owner's policy setters refuse every value outside the hard bounds (PolicyOutOfBounds(param, value, min, max)) and
/// every inverted pair (InvalidPolicyRange(param, low, high)); a refused setter, even mined, changes nothing. The bounds
/// themselves are accepted.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class PolicyBoundsTests(LocalNodeFixture node) : SecurityTest(node)
{
    // ITreasuryVaultTypes.PolicyParam
    private const int Feeds = 0, Heartbeat = 1, TwapWindow = 2, MaxTwapDeviation = 3, MaxSkew = 4, FeeBounds = 5, WidthBounds = 6, MinRebalanceInterval = 7, InventoryBounds = 8, MaxLoss = 10;
    private const long Week = 7 * 24 * 3600;
    private const long Hour = 1800; // MAX_TWAP_WINDOW: half an hour

    private static readonly Dictionary<string, string> Signatures = new()
    {
        ["setHeartbeat"] = "setHeartbeat(address,uint32)",
        ["setTwapWindow"] = "setTwapWindow(address,uint32)",
        ["setMaxTwapDeviation"] = "setMaxTwapDeviation(address,uint16)",
        ["setMaxSkew"] = "setMaxSkew(address,uint16)",
        ["setFeeBounds"] = "setFeeBounds(address,uint24,uint24)",
        ["setWidthBounds"] = "setWidthBounds(address,uint32,uint32)",
        ["setMinRebalanceInterval"] = "setMinRebalanceInterval(address,uint32)",
        ["setMaxLoss"] = "setMaxLoss(address,uint16)",
        ["setInventoryBounds"] = "setInventoryBounds(address,uint16,uint16)",
    };

    private object?[] Args(string setter, long a, long b) =>
        b < 0 ? [D.Pool.Address, new BigInteger(a)] : [D.Pool.Address, new BigInteger(a), new BigInteger(b)];

    /// <summary>setter, a, b (−1: one-value setter), param, the offending value, min, max.</summary>
    public static TheoryData<string, long, long, int, long, long, long> OutOfBounds() => new()
    {
        { "setHeartbeat", 29, -1, Heartbeat, 29, 30, Week },
        { "setHeartbeat", Week + 1, -1, Heartbeat, Week + 1, 30, Week },
        { "setHeartbeat", 0, -1, Heartbeat, 0, 30, Week },
        { "setTwapWindow", 9, -1, TwapWindow, 9, 10, Hour },
        { "setTwapWindow", Hour + 1, -1, TwapWindow, Hour + 1, 10, Hour },
        { "setMaxTwapDeviation", 0, -1, MaxTwapDeviation, 0, 1, 2000 },
        { "setMaxTwapDeviation", 2001, -1, MaxTwapDeviation, 2001, 1, 2000 },
        { "setMaxSkew", 0, -1, MaxSkew, 0, 1, 2000 },
        { "setMaxSkew", 2001, -1, MaxSkew, 2001, 1, 2000 },
        { "setFeeBounds", 0, 100_001, FeeBounds, 100_001, 0, 100_000 },
        { "setWidthBounds", 0, 100, WidthBounds, 0, 1, 10_000_000 },
        { "setWidthBounds", 1, 10_000_001, WidthBounds, 10_000_001, 1, 10_000_000 },
        { "setWidthBounds", 1, 4_294_967_294, WidthBounds, 4_294_967_294, 1, 10_000_000 }, // only the sentinel itself is unbounded
        { "setMinRebalanceInterval", Week + 1, -1, MinRebalanceInterval, Week + 1, 60, Week },
        // the floor: a keeper may not rebalance every block (the loss of a stolen key grows with the rebalance rate)
        { "setMinRebalanceInterval", 0, -1, MinRebalanceInterval, 0, 60, Week },
        { "setMinRebalanceInterval", 59, -1, MinRebalanceInterval, 59, 60, Week },
        { "setMaxLoss", 0, -1, MaxLoss, 0, 1, 1000 },
        { "setMaxLoss", 1001, -1, MaxLoss, 1001, 1, 1000 },
        { "setInventoryBounds", 0, 10_001, InventoryBounds, 10_001, 0, 10_000 },
    };

    public static TheoryData<string, long, long, int> InvertedRanges() => new()
    {
        { "setFeeBounds", 600, 500, FeeBounds },
        { "setWidthBounds", 200, 100, WidthBounds },
        { "setInventoryBounds", 6000, 5000, InventoryBounds },
    };

    public static TheoryData<string, long, long> Accepted() => new()
    {
        { "setHeartbeat", 30, -1 }, { "setHeartbeat", Week, -1 },
        { "setTwapWindow", 10, -1 }, { "setTwapWindow", Hour, -1 },
        { "setMaxTwapDeviation", 1, -1 }, { "setMaxTwapDeviation", 2000, -1 },
        { "setMaxSkew", 1, -1 }, { "setMaxSkew", 2000, -1 },
        { "setFeeBounds", 0, 0 }, { "setFeeBounds", 100_000, 100_000 },
        { "setWidthBounds", 1, 1 }, { "setWidthBounds", 10_000_000, 10_000_000 },
        { "setWidthBounds", 1, 4_294_967_295 }, // UNBOUNDED_WIDTH_BPS: no upper bound
        { "setMinRebalanceInterval", 60, -1 }, { "setMinRebalanceInterval", Week, -1 },
        { "setMaxLoss", 1, -1 }, { "setMaxLoss", 1000, -1 },
        { "setInventoryBounds", 0, 0 }, { "setInventoryBounds", 10_000, 10_000 },
    };

    /// <summary>Simulated, then mined with a fixed gas limit (status 0): the decoded reason, and the policy unchanged.</summary>
    private async Task<RevertReason> RejectedAsync(string signature, object?[] args, string error)
    {
        var before = await D.Vault.PolicyOfAsync(D.Pool.Address);
        var lossBefore = await D.Vault.LossWindowOfAsync(D.Pool.Address); // maxLossBps lives here
        var reason = await Reverts.ExpectAsync(error, () => D.Vault.Contract.CallAsync(signature, args, D.Owner.Address));
        var block = await D.Eth.BlockNumberAsync();
        await Assert.ThrowsAsync<ContractRevertException>(() => D.Vault.Contract.SendAsync(D.Owner, signature, args, gasLimit: 300_000));
        Assert.Equal(block + 1, await D.Eth.BlockNumberAsync()); // mined (and reverted)
        Assert.Equal(before, await D.Vault.PolicyOfAsync(D.Pool.Address));
        Assert.Equal(lossBefore, await D.Vault.LossWindowOfAsync(D.Pool.Address));
        return reason;
    }

    [Theory]
    [MemberData(nameof(OutOfBounds))]
    public async Task A_value_outside_the_hard_bounds_is_refused_with_PolicyOutOfBounds(string setter, long a, long b, int param, long value, long min, long max)
    {
        var reason = await RejectedAsync(Signatures[setter], Args(setter, a, b), TreasuryVault.Errors.PolicyOutOfBounds);
        Assert.Equal(new BigInteger(param), reason.Arg("param"));
        Assert.Equal(new BigInteger(value), reason.Arg("value"));
        Assert.Equal(new BigInteger(min), reason.Arg("min"));
        Assert.Equal(new BigInteger(max), reason.Arg("max"));
    }

    [Theory]
    [MemberData(nameof(InvertedRanges))]
    public async Task An_inverted_pair_is_refused_with_InvalidPolicyRange(string setter, long low, long high, int param)
    {
        var reason = await RejectedAsync(Signatures[setter], Args(setter, low, high), TreasuryVault.Errors.InvalidPolicyRange);
        Assert.Equal(new BigInteger(param), reason.Arg("param"));
        Assert.Equal(new BigInteger(low), reason.Arg("low"));
        Assert.Equal(new BigInteger(high), reason.Arg("high"));
    }

    [Theory]
    [MemberData(nameof(Accepted))]
    public async Task The_bounds_themselves_are_accepted(string setter, long a, long b)
    {
        var receipt = await D.Vault.Contract.SendAsync(D.Owner, Signatures[setter], Args(setter, a, b));
        var updated = Assert.Single(TreasuryVault.PolicyUpdatedEvents(receipt));
        Assert.Equal(new BigInteger(a), updated.Value0);
        if (b >= 0) Assert.Equal(new BigInteger(b), updated.Value1);
    }

    [Fact]
    public async Task Feeds_are_refused_when_missing_or_with_more_than_36_decimals()
    {
        var feed37 = await MockAggregator.DeployAsync(D.Owner, D.Artifact(MockAggregator.ArtifactName), 37, "too precise", 1);
        var reason = await RejectedAsync("setFeeds(address,address,address)", [D.Pool.Address, feed37.Address, D.VolatilityFeed], TreasuryVault.Errors.PolicyOutOfBounds);
        Assert.Equal(new BigInteger(Feeds), reason.Arg("param"));
        Assert.Equal(new BigInteger(37), reason.Arg("value"));
        Assert.Equal(new BigInteger(36), reason.Arg("max"));
        await RejectedAsync("setFeeds(address,address,address)", [D.Pool.Address, Address.Zero, D.VolatilityFeed], TreasuryVault.Errors.ZeroAddress);
    }

    [Fact]
    public async Task RegisterPool_checks_every_value_of_the_policy()
    {
        var spare = S.SparePool.Address;
        var reason = await Reverts.ExpectAsync(TreasuryVault.Errors.PolicyOutOfBounds,
            () => D.Vault.RegisterPoolAsync(D.Owner, spare, D.Policy with { MaxSkewBps = 2001 }));
        Assert.Equal(new BigInteger(MaxSkew), reason.Arg("param"));
        await Reverts.ExpectAsync(TreasuryVault.Errors.InvalidPolicyRange,
            () => D.Vault.RegisterPoolAsync(D.Owner, spare, D.Policy with { MinBaseShareBps = 9500, MaxBaseShareBps = 9000 }));
        Assert.False((await D.Vault.PolicyOfAsync(spare)).Registered);
        Assert.DoesNotContain(spare, await D.Vault.PoolsAsync());

        // a pool of another vault, and a pool registered twice
        await Reverts.ExpectAsync(TreasuryVault.Errors.PoolAlreadyRegistered, () => D.Vault.RegisterPoolAsync(D.Owner, D.Pool.Address, D.Policy));
        var foreign = await ManagedPool.DeployAsync(D.Owner, D.Artifact(ManagedPool.ArtifactName), D.Base.Address, D.Quote.Address, D.Stranger.Address,
            D.SqrtPriceX96(2.0m), D.SqrtPriceX96(1.8m), D.SqrtPriceX96(2.2m), 3000);
        await Reverts.ExpectAsync(TreasuryVault.Errors.PoolVaultMismatch, () => D.Vault.RegisterPoolAsync(D.Owner, foreign.Address, D.Policy));
    }
}
