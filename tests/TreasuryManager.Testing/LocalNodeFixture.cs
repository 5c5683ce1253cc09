using TreasuryManager.DevNode;
using TreasuryManager.Ethereum.JsonRpc;
using Xunit;

namespace TreasuryManager.Testing;

/// <summary>
/// One local node per test collection: Hardhat by default, anvil when TREASURY_TEST_NODE=anvil.
/// Started on a free 127.0.0.1 port, ready once it answers eth_chainId, and stopped by its PID when
/// the collection ends — pass or fail. Tests isolate their changes with <see cref="SnapshotAsync"/>
/// and <see cref="RevertAsync"/> (see <see cref="NodeTest"/>).
/// </summary>
public sealed class LocalNodeFixture : IAsyncLifetime
{
    private LocalNode? _node;
    private RpcClient? _rpc;

    public LocalNode Node => _node ?? throw new InvalidOperationException("The node is not started.");
    public RpcClient Rpc => _rpc ?? throw new InvalidOperationException("The node is not started.");
    public EthClient Eth => new(Rpc);
    public LocalNodeKind Kind => Node.Kind;
    public string RepositoryRoot { get; } = LocalNode.FindRepositoryRoot();

    public async Task InitializeAsync()
    {
        _node = await LocalNode.StartAsync(LocalNode.KindFromEnvironment(), RepositoryRoot);
        _rpc = new RpcClient(new RpcClientOptions { Endpoint = _node.Endpoint, Timeout = TimeSpan.FromSeconds(30) });
    }

    /// <summary>Takes an EVM snapshot and returns its id.</summary>
    public async Task<string> SnapshotAsync() => (await Rpc.CallAsync("evm_snapshot")).GetString()!;

    /// <summary>Reverts to a snapshot (which is then used up); fails loudly if the node refuses.</summary>
    public async Task RevertAsync(string snapshotId)
    {
        var reverted = await Rpc.CallAsync("evm_revert", [snapshotId]);
        if (reverted.ValueKind != System.Text.Json.JsonValueKind.True)
            throw new InvalidOperationException($"evm_revert({snapshotId}) returned {reverted}; the node's state was not restored.");
    }

    public async Task DisposeAsync()
    {
        _rpc?.Dispose();
        if (_node is not null) await _node.DisposeAsync();
    }
}

/// <summary>
/// Base of a test that changes chain state: a snapshot before each test and a revert after it,
/// so tests in a collection see the same chain whatever their order.
/// </summary>
public abstract class NodeTest(LocalNodeFixture node) : IAsyncLifetime
{
    private string? _snapshot;

    protected LocalNodeFixture Node { get; } = node;
    protected EthClient Eth => Node.Eth;

    public virtual async Task InitializeAsync() => _snapshot = await Node.SnapshotAsync();

    public virtual async Task DisposeAsync()
    {
        if (_snapshot is not null) await Node.RevertAsync(_snapshot);
    }
}
