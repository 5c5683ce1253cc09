using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.DevNode;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Testing;
using TreasuryManager.TestContracts;

namespace TreasuryManager.Keeper.Tests;

/// <summary>
/// Base of the executor's node tests: a snapshot per test (from <see cref="NodeTest"/>), a fresh
/// journal file per test, automine restored afterwards, and a Counter deployed by another account
/// so that the executor's account (dev account 0) sends only what the test sends.
/// </summary>
public abstract class KeeperNodeTest(LocalNodeFixture node) : NodeTest(node)
{
    protected const long Gwei = 1_000_000_000;

    /// <summary>The executor's account.</summary>
    protected static EthKey Keeper => DevAccounts.Key(0);

    protected TempJournal Temp { get; } = new();

    protected static ExecutorOptions FastOptions => new()
    {
        MaxFeePerGasCap = 200 * Gwei,
        BaseFeeCeiling = 20 * Gwei,
        PriorityFeePerGas = 1 * Gwei,
        ChainId = LocalNode.DefaultChainId,
        Confirmations = 1,
        BlocksBeforeReplacement = 2,
        MaxBlocksToWait = 40,
        PollInterval = TimeSpan.FromMilliseconds(40),
        MaxWait = TimeSpan.FromSeconds(30),
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // anvil keeps a base fee set by an earlier test across evm_revert: start every test from 1 gwei.
        await SetNextBaseFeeAsync(1 * Gwei);
    }

    public override async Task DisposeAsync()
    {
        try
        {
            await Node.Rpc.CallAsync("evm_setAutomine", [true]);
        }
        finally
        {
            await base.DisposeAsync();
            Temp.Dispose();
        }
    }

    protected async Task<Counter> DeployCounterAsync(int start = 5)
    {
        var deployer = await AccountSender.ConnectAsync(Eth, DevAccounts.Key(9), LocalNode.DefaultChainId);
        return await Counter.DeployAsync(deployer, HardhatArtifact.Find(Node.RepositoryRoot, Counter.ArtifactName), "keeper", start);
    }

    protected static TransactionIntent Increment(Counter counter, string key, bool urgent = false, int amount = 1) => new()
    {
        Key = key,
        Kind = "increment",
        To = counter.Address,
        Data = Counter.EncodeIncrement(amount),
        GasLimit = 120_000,
        Urgent = urgent,
    };

    protected Task<TransactionExecutor> ExecutorAsync(ITransactionJournal journal, ExecutorOptions? options = null, EthClient? eth = null) =>
        TransactionExecutor.ConnectAsync(eth ?? Eth, Keeper, journal, options ?? FastOptions);

    protected Task<long> LatestNonceAsync() => Eth.GetTransactionCountAsync(Keeper.Address, BlockTag.Latest);

    protected Task<long> PendingNonceAsync() => Eth.GetTransactionCountAsync(Keeper.Address, BlockTag.Pending);

    protected Task SetNextBaseFeeAsync(BigInteger wei) => Node.Rpc.CallAsync("hardhat_setNextBlockBaseFeePerGas", [Quantity.Encode(wei)]);

    protected Task MineAsync() => Node.Rpc.CallAsync("evm_mine");

    protected async Task AutomineAsync(bool on)
    {
        await Node.Rpc.CallAsync("evm_setAutomine", [on]);
        if (!on) await Node.Rpc.CallAsync("evm_setIntervalMining", [0]);
    }

    /// <summary>The maxFeePerGas of a transaction as the node holds it.</summary>
    protected async Task<BigInteger> ChainMaxFeeAsync(string hash)
    {
        var tx = await Node.Rpc.CallAsync("eth_getTransactionByHash", [hash]);
        return Quantity.Decode(tx.GetProperty("maxFeePerGas").GetString()!);
    }

    protected static Address Of(EthKey key) => key.Address;
}
