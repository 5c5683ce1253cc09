using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.DevNode;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Ethereum.Transactions;
using TreasuryManager.Testing;
using TreasuryManager.TestContracts;

namespace TreasuryManager.Contracts.Tests;

/// <summary>
/// The Ethereum layer end to end against a real node: a contract compiled by Hardhat, deployed and
/// driven by type-2 transactions our code signs with the key at m/44'/60'/0'/0/0 of the Hardhat
/// mnemonic. Runs against Hardhat, and against anvil with TREASURY_TEST_NODE=anvil.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class EndToEndTests(LocalNodeFixture node) : NodeTest(node)
{
    private static readonly Address HardhatAccount0 = Address.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");

    private async Task<(AccountSender Sender, Counter Counter)> DeployCounterAsync(string label = "e2e", int start = 5)
    {
        var sender = await AccountSender.ConnectAsync(Eth, DevAccounts.Key(0), LocalNode.DefaultChainId);
        var counter = await Counter.DeployAsync(sender, HardhatArtifact.Find(Node.RepositoryRoot, Counter.ArtifactName), label, start);
        return (sender, counter);
    }

    [Fact]
    public async Task Key_from_the_mnemonic_is_the_funded_hardhat_account()
    {
        Assert.Equal(HardhatAccount0, DevAccounts.Key(0).Address);
        Assert.True(await Eth.GetBalanceAsync(HardhatAccount0) > BigInteger.Zero);
    }

    [Fact]
    public async Task Deploy_send_and_read_back_with_type_2_transactions()
    {
        var (sender, counter) = await DeployCounterAsync("treasury", 5);
        Assert.Equal("treasury", await counter.LabelAsync());
        Assert.Equal(new BigInteger(5), await counter.CountAsync());

        var result = await counter.IncrementAsync(sender, 7);

        Assert.True(result.Receipt.Succeeded);
        Assert.Equal(HardhatAccount0, result.Receipt.From);
        var incremented = Assert.Single(Counter.IncrementedEvents(result));
        Assert.Equal(new Counter.IncrementedEvent(HardhatAccount0, 7, 12), incremented);
        Assert.Equal(new BigInteger(12), await counter.CountAsync());
        Assert.Equal(HardhatAccount0, await counter.LastCallerAsync());

        // The node holds the very bytes we signed: a type-2 transaction whose sender we recover.
        var mined = await Node.Rpc.CallAsync("eth_getTransactionByHash", [result.Receipt.TransactionHash]);
        Assert.Equal("0x2", mined.GetProperty("type").GetString());
        Assert.Equal(HardhatAccount0, Address.Parse(mined.GetProperty("from").GetString()!));
    }

    [Fact]
    public async Task A_reason_string_revert_is_decoded()
    {
        var (_, counter) = await DeployCounterAsync();
        var error = await Assert.ThrowsAsync<ContractRevertException>(() => counter.FailWithReasonAsync("treasury says no"));
        Assert.Equal(RevertKind.ErrorString, error.Reason.Kind);
        Assert.Equal("treasury says no", error.Reason.Reason);
        Assert.Contains("failWithReason", error.Message);
    }

    [Fact]
    public async Task Custom_errors_and_panics_are_decoded_and_nothing_is_sent()
    {
        var (sender, counter) = await DeployCounterAsync(start: 5);
        var nonceBefore = await Eth.GetTransactionCountAsync(sender.Address);

        var zero = await Assert.ThrowsAsync<ContractRevertException>(() => counter.IncrementAsync(sender, 0));
        Assert.Equal(Counter.Errors.ZeroAmount, zero.ErrorName);

        var limit = await Assert.ThrowsAsync<ContractRevertException>(() => counter.IncrementAsync(sender, 2_000_000));
        Assert.Equal(Counter.Errors.LimitExceeded, limit.ErrorName);
        Assert.Equal(new BigInteger(2_000_005), limit.Reason.Arguments["requested"]);
        Assert.Equal(new BigInteger(1_000_000), limit.Reason.Arguments["limit"]);

        var panic = await Assert.ThrowsAsync<ContractRevertException>(() => counter.DivideAsync(1, 0));
        Assert.Equal(RevertKind.Panic, panic.Reason.Kind);
        Assert.Equal(new BigInteger(0x12), panic.Reason.PanicCode);

        Assert.Equal(nonceBefore, await Eth.GetTransactionCountAsync(sender.Address));
        var after = await counter.IncrementAsync(sender, 1);
        Assert.True(after.Receipt.Succeeded);
    }

    [Fact]
    public async Task A_sender_refuses_a_node_on_another_chain()
    {
        var error = await Assert.ThrowsAsync<WrongChainIdException>(() => AccountSender.ConnectAsync(Eth, DevAccounts.Key(0), expectedChainId: 1));
        Assert.Contains("chain 31337", error.Message);
        Assert.Contains("chain 1 was expected", error.Message);
    }

    [Fact]
    public async Task The_node_rejects_a_transaction_signed_for_another_chain_with_a_typed_error()
    {
        var key = DevAccounts.Key(3);
        var block = await Eth.GetBlockAsync();
        var transaction = new Eip1559Transaction
        {
            ChainId = 1,
            Nonce = await Eth.GetTransactionCountAsync(key.Address, BlockTag.Pending),
            MaxPriorityFeePerGas = 1,
            MaxFeePerGas = 2 * block.BaseFeePerGas!.Value + 1,
            GasLimit = 21_000,
            To = HardhatAccount0,
            Value = 1,
        };
        await Assert.ThrowsAsync<WrongChainIdException>(() => Eth.SendRawTransactionAsync(transaction.Sign(key).Raw));
    }

    [Fact]
    public async Task A_reused_nonce_is_reported_as_nonce_too_low()
    {
        var key = DevAccounts.Key(4);
        var block = await Eth.GetBlockAsync();
        var nonce = await Eth.GetTransactionCountAsync(key.Address, BlockTag.Pending);
        Eip1559Transaction Transfer(BigInteger value) => new()
        {
            ChainId = LocalNode.DefaultChainId,
            Nonce = nonce,
            MaxPriorityFeePerGas = 1_000_000_000,
            MaxFeePerGas = 2 * block.BaseFeePerGas!.Value + 1_000_000_000,
            GasLimit = 21_000,
            To = HardhatAccount0,
            Value = value,
        };
        var first = await Eth.SendRawTransactionAsync(Transfer(1).Sign(key).Raw);
        await Eth.WaitForReceiptAsync(first, TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<NonceTooLowException>(() => Eth.SendRawTransactionAsync(Transfer(2).Sign(key).Raw));
    }
}
