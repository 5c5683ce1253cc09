using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.TestContracts;
using TreasuryManager.Testing;

namespace TreasuryManager.Contracts.Tests.UniswapV3;

/// <summary>
/// contracts/libraries/TickMath.sol against Uniswap's own pool: a pool initialised at getSqrtRatioAtTick(t) reports tick t
/// (Uniswap's getTickAtSqrtRatio inverts its getSqrtRatioAtTick exactly), one unit below it reports t − 1, and the bounds
/// are Uniswap's MIN_SQRT_RATIO and MAX_SQRT_RATIO.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class TickMathTests(LocalNodeFixture node) : NodeTest(node)
{
    [Fact]
    public async Task The_sqrt_ratio_at_each_tick_is_the_one_Uniswaps_pool_maps_back_to_that_tick()
    {
        var owner = await TreasuryDeployment.SenderAsync(Node, 0);
        var harness = await TickMathHarness.DeployAsync(owner, HardhatArtifact.Find(Node.RepositoryRoot, TickMathHarness.ArtifactName));
        Assert.Equal(BigInteger.Parse("4295128739"), await harness.GetSqrtRatioAtTickAsync(-887272));
        Assert.Equal(BigInteger.Parse("1461446703485210103287273052203988822378723970342"), await harness.GetSqrtRatioAtTickAsync(887272));
        Assert.Equal(BigInteger.One << 96, await harness.GetSqrtRatioAtTickAsync(0));

        var uniswap = await UniswapV3Deployment.DeployFactoryAsync(owner, Node.RepositoryRoot);
        var artifact = HardhatArtifact.Find(Node.RepositoryRoot, MintableERC20.ArtifactName);
        // (tick, offset): initialise at getSqrtRatioAtTick(tick) + offset, expect tick (offset 0) or tick − 1 (offset −1)
        var cases = new (int Tick, int Offset)[] { (-269_400, 0), (-269_400, -1), (1, 0), (-1, 0), (887_271, 0), (-887_271, 0) };
        var fees = new[] { 500, 3000, 10000 };
        MintableERC20? a = null, b = null;
        for (var i = 0; i < cases.Length; i++)
        {
            if (i % fees.Length == 0)
            {
                a = await MintableERC20.DeployAsync(owner, artifact, "A", "A", 18);
                b = await MintableERC20.DeployAsync(owner, artifact, "B", "B", 18);
            }
            var (tick, offset) = cases[i];
            var sqrt = await harness.GetSqrtRatioAtTickAsync(tick) + offset;
            var pool = await uniswap.CreatePoolAsync(owner, a!.Address, b!.Address, fees[i % fees.Length], sqrt);
            Assert.Equal(new BigInteger(offset == 0 ? tick : tick - 1), (await pool.Slot0Async()).Tick);
        }
    }

    [Fact]
    public async Task A_tick_beyond_the_bounds_is_refused_with_TickOutOfRange()
    {
        var owner = await TreasuryDeployment.SenderAsync(Node, 0);
        var harness = await TickMathHarness.DeployAsync(owner, HardhatArtifact.Find(Node.RepositoryRoot, TickMathHarness.ArtifactName));
        foreach (var tick in new[] { 887_273, -887_273 })
        {
            var e = await Assert.ThrowsAsync<ContractRevertException>(() => harness.GetSqrtRatioAtTickAsync(tick));
            Assert.Equal("TickOutOfRange", e.ErrorName);
        }
    }
}
