using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Testing;

namespace TreasuryManager.Contracts.Tests;

/// <summary><see cref="UniswapV3Deployment"/>: Uniswap's own factory from the npm artifact, a pool at a tier, price and ring size.</summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class UniswapV3DeploymentTests(LocalNodeFixture node) : NodeTest(node)
{
    [Fact]
    public async Task Creates_an_initialised_pool_at_the_tier_with_the_ring_grown()
    {
        var owner = await TreasuryDeployment.SenderAsync(Node, 0);
        var uniswap = await UniswapV3Deployment.DeployFactoryAsync(owner, Node.RepositoryRoot);
        var a = await MintableERC20.DeployAsync(owner, HardhatArtifactOf(MintableERC20.ArtifactName), "A", "A", 18);
        var b = await MintableERC20.DeployAsync(owner, HardhatArtifactOf(MintableERC20.ArtifactName), "B", "B", 6);
        var sqrtPrice = TreasuryDeployer.Q96 * 3 / 2;

        var pool = await uniswap.CreatePoolAsync(owner, b.Address, a.Address, 3000, sqrtPrice, observationCardinalityNext: 16);

        var slot0 = await pool.Slot0Async();
        Assert.Equal(sqrtPrice, slot0.SqrtPriceX96);
        Assert.Equal(16, (int)slot0.ObservationCardinalityNext);
        Assert.Equal(3000, (int)await pool.FeeAsync());
        Assert.Equal(60, (int)await pool.TickSpacingAsync());
        var (token0, token1) = string.CompareOrdinal(a.Address.ToString().ToLowerInvariant(), b.Address.ToString().ToLowerInvariant()) < 0 ? (a.Address, b.Address) : (b.Address, a.Address);
        Assert.Equal(token0, await pool.Token0Async());
        Assert.Equal(token1, await pool.Token1Async());
        Assert.Equal(pool.Address, await uniswap.Factory.GetPoolAsync(a.Address, b.Address, 3000));

        // Uniswap's default ring (1) is left alone when no size is asked for.
        var pool500 = await uniswap.CreatePoolAsync(owner, a.Address, b.Address, 500, sqrtPrice);
        Assert.Equal(1, (int)(await pool500.Slot0Async()).ObservationCardinalityNext);
    }

    [Fact]
    public async Task A_fee_that_is_not_a_tier_is_refused_and_creates_nothing()
    {
        var owner = await TreasuryDeployment.SenderAsync(Node, 0);
        var uniswap = await UniswapV3Deployment.DeployFactoryAsync(owner, Node.RepositoryRoot);
        var a = await MintableERC20.DeployAsync(owner, HardhatArtifactOf(MintableERC20.ArtifactName), "A", "A", 18);
        var b = await MintableERC20.DeployAsync(owner, HardhatArtifactOf(MintableERC20.ArtifactName), "B", "B", 18);

        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => uniswap.CreatePoolAsync(owner, a.Address, b.Address, 2500, TreasuryDeployer.Q96));
        Assert.Equal("feePips", e.ParamName);
        Assert.Equal(TreasuryManager.Ethereum.Address.Zero, await uniswap.Factory.GetPoolAsync(a.Address, b.Address, 2500));
    }

    private TreasuryManager.Ethereum.Contracts.HardhatArtifact HardhatArtifactOf(string name) =>
        TreasuryManager.Ethereum.Contracts.HardhatArtifact.Find(Node.RepositoryRoot, name);
}
