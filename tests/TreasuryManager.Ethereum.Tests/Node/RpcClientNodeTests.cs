using System.Numerics;
using TreasuryManager.DevNode;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Testing;

namespace TreasuryManager.Ethereum.Tests.Node;

[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class RpcClientNodeTests(LocalNodeFixture node) : NodeTest(node)
{
    private static readonly Address Funded = Address.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");

    [Fact]
    public async Task Node_answers_with_the_local_chain_id()
    {
        Assert.Equal(LocalNode.DefaultChainId, await Eth.ChainIdAsync());
    }

    [Fact]
    public async Task Batch_returns_each_result_in_request_order_in_one_round_trip()
    {
        var responses = await Node.Rpc.BatchAsync([
            new RpcRequest("eth_chainId"),
            new RpcRequest("eth_getBalance", Funded.ToLowerHex(), "latest"),
            new RpcRequest("eth_no_such_method"),
            new RpcRequest("eth_blockNumber"),
        ]);
        Assert.Equal(4, responses.Count);
        Assert.Equal("0x7a69", responses[0].GetResult().GetString());
        Assert.True(Encoding.Quantity.Decode(responses[1].GetResult().GetString()!) > BigInteger.Zero);
        var error = Assert.IsAssignableFrom<RpcErrorException>(responses[2].Error);
        Assert.Contains("eth_no_such_method", error.Message);
        Assert.Equal("eth_blockNumber", responses[3].Request.Method);
        Assert.NotNull(responses[3].Result);
    }

    [Fact]
    public async Task Snapshot_and_revert_restore_the_chain()
    {
        var before = await Eth.BlockNumberAsync();
        var snapshot = await Node.SnapshotAsync();
        await Node.Rpc.CallAsync("evm_mine");
        Assert.Equal(before + 1, await Eth.BlockNumberAsync());
        await Node.RevertAsync(snapshot);
        Assert.Equal(before, await Eth.BlockNumberAsync());
    }

    [Fact]
    public async Task Caller_cancellation_is_not_reported_as_a_timeout()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Eth.BlockNumberAsync(cts.Token));
    }

    [Fact]
    public async Task Latest_block_has_a_base_fee()
    {
        var block = await Eth.GetBlockAsync();
        Assert.NotNull(block.BaseFeePerGas);
        Assert.True(block.GasLimit > 0);
    }
}
