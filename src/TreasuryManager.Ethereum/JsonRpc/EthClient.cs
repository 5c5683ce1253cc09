using System.Numerics;
using System.Text.Json;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.JsonRpc;

/// <summary>Typed eth_* calls over an <see cref="RpcClient"/>.</summary>
public sealed class EthClient(RpcClient rpc)
{
    public RpcClient Rpc { get; } = rpc;

    public async Task<long> ChainIdAsync(CancellationToken ct = default) =>
        Quantity.DecodeLong((await Rpc.CallAsync("eth_chainId", ct).ConfigureAwait(false)).GetString()!, "chain id");

    public async Task<long> BlockNumberAsync(CancellationToken ct = default) =>
        Quantity.DecodeLong((await Rpc.CallAsync("eth_blockNumber", ct).ConfigureAwait(false)).GetString()!, "block number");

    public async Task<BigInteger> GetBalanceAsync(Address account, BlockTag? block = null, CancellationToken ct = default) =>
        Quantity.Decode((await Rpc.CallAsync("eth_getBalance", [account.ToLowerHex(), (block ?? BlockTag.Latest).Value], ct).ConfigureAwait(false)).GetString()!);

    public async Task<long> GetTransactionCountAsync(Address account, BlockTag? block = null, CancellationToken ct = default) =>
        Quantity.DecodeLong((await Rpc.CallAsync("eth_getTransactionCount", [account.ToLowerHex(), (block ?? BlockTag.Latest).Value], ct).ConfigureAwait(false)).GetString()!);

    public async Task<byte[]> GetCodeAsync(Address account, BlockTag? block = null, CancellationToken ct = default) =>
        Hex.Decode((await Rpc.CallAsync("eth_getCode", [account.ToLowerHex(), (block ?? BlockTag.Latest).Value], ct).ConfigureAwait(false)).GetString()!);

    /// <summary>eth_call; a revert surfaces as <see cref="ExecutionRevertedException"/> with its raw data.</summary>
    public async Task<byte[]> CallAsync(CallRequest call, BlockTag? block = null, CancellationToken ct = default) =>
        Hex.Decode((await Rpc.CallAsync("eth_call", [call.ToJson(), (block ?? BlockTag.Latest).Value], ct).ConfigureAwait(false)).GetString()!);

    public async Task<long> EstimateGasAsync(CallRequest call, CancellationToken ct = default) =>
        Quantity.DecodeLong((await Rpc.CallAsync("eth_estimateGas", [call.ToJson()], ct).ConfigureAwait(false)).GetString()!);

    public async Task<BigInteger> MaxPriorityFeePerGasAsync(CancellationToken ct = default) =>
        Quantity.Decode((await Rpc.CallAsync("eth_maxPriorityFeePerGas", ct).ConfigureAwait(false)).GetString()!);

    /// <summary>Broadcasts signed bytes; returns the transaction hash. Never retried.</summary>
    public async Task<string> SendRawTransactionAsync(byte[] signedTransaction, CancellationToken ct = default) =>
        (await Rpc.CallAsync("eth_sendRawTransaction", [Hex.Encode(signedTransaction)], ct).ConfigureAwait(false)).GetString()!;

    public async Task<TransactionReceipt?> GetTransactionReceiptAsync(string transactionHash, CancellationToken ct = default)
    {
        var result = await Rpc.CallAsync("eth_getTransactionReceipt", [transactionHash], ct).ConfigureAwait(false);
        return result.ValueKind == JsonValueKind.Null ? null : TransactionReceipt.FromJson(result);
    }

    public async Task<BlockHeader> GetBlockAsync(BlockTag? block = null, CancellationToken ct = default)
    {
        var result = await Rpc.CallAsync("eth_getBlockByNumber", [(block ?? BlockTag.Latest).Value, false], ct).ConfigureAwait(false);
        if (result.ValueKind == JsonValueKind.Null)
            throw new RpcException($"eth_getBlockByNumber at {Rpc.Endpoint}: no block {(block ?? BlockTag.Latest).Value}.", "eth_getBlockByNumber");
        return BlockHeader.FromJson(result);
    }

    public async Task<IReadOnlyList<LogEntry>> GetLogsAsync(Address address, long fromBlock, long toBlock, byte[]?[]? topics = null, CancellationToken ct = default)
    {
        var filter = new Dictionary<string, object>
        {
            ["address"] = address.ToLowerHex(),
            ["fromBlock"] = Quantity.Encode(fromBlock),
            ["toBlock"] = Quantity.Encode(toBlock),
        };
        if (topics is not null) filter["topics"] = topics.Select(t => t is null ? null : Hex.Encode(t)).ToArray();
        var result = await Rpc.CallAsync("eth_getLogs", [filter], ct).ConfigureAwait(false);
        return result.EnumerateArray().Select(LogEntry.FromJson).ToArray();
    }

    /// <summary>
    /// Polls for a receipt until it is mined and has <paramref name="confirmations"/> blocks on top
    /// (1 = mined). A node that mines late (anvil) is polled; the wait is bounded by <paramref name="timeout"/>.
    /// </summary>
    public async Task<TransactionReceipt> WaitForReceiptAsync(string transactionHash, TimeSpan timeout, int confirmations = 1, TimeSpan? pollInterval = null, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(confirmations, 1);
        var interval = pollInterval ?? TimeSpan.FromMilliseconds(50);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var receipt = await GetTransactionReceiptAsync(transactionHash, deadline.Token).ConfigureAwait(false);
                if (receipt is not null && (confirmations == 1 || await BlockNumberAsync(deadline.Token).ConfigureAwait(false) - receipt.BlockNumber + 1 >= confirmations))
                    return receipt;
                await Task.Delay(interval, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"transaction {transactionHash} was not mined with {confirmations} confirmation(s) within {timeout.TotalSeconds:0.#} s; it may still be pending — check it, and replace it with higher fees if it is stuck.");
        }
    }
}
