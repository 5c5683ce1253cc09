using System.Numerics;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Ethereum.Transactions;

namespace TreasuryManager.Ethereum.Contracts;

/// <summary>One transaction to send: a call (or a creation when <see cref="To"/> is null).</summary>
public sealed record TransactionRequest
{
    public Address? To { get; init; }
    public byte[] Data { get; init; } = [];
    public BigInteger Value { get; init; }
    /// <summary>The gas limit; null estimates it (eth_estimateGas) with the fee settings' margin.</summary>
    public long? GasLimit { get; init; }
}

/// <summary>
/// Signs and sends EIP-1559 transactions from one key on one chain. It holds the account's next
/// nonce (read once from the pending count) and resynchronises it after "nonce too low". The
/// node's chain id is checked when the sender is made: a key is never used to sign for a chain
/// the node is not on.
/// </summary>
public sealed class AccountSender
{
    private readonly EthKey _key;
    private readonly SemaphoreSlim _nonceLock = new(1, 1);
    private BigInteger? _nextNonce;

    private AccountSender(EthClient eth, EthKey key, long chainId, FeeSettings fees)
    {
        Eth = eth;
        _key = key;
        ChainId = chainId;
        Fees = fees;
    }

    public EthClient Eth { get; }
    public long ChainId { get; }
    public FeeSettings Fees { get; }
    public Address Address => _key.Address;

    /// <summary>
    /// Makes a sender after checking that the node is on <paramref name="expectedChainId"/>
    /// (when given). A mismatch is an error naming both ids; nothing is signed.
    /// </summary>
    public static async Task<AccountSender> ConnectAsync(EthClient eth, EthKey key, long? expectedChainId = null, FeeSettings? fees = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(eth);
        ArgumentNullException.ThrowIfNull(key);
        var chainId = await eth.ChainIdAsync(ct).ConfigureAwait(false);
        if (expectedChainId is { } expected && expected != chainId)
            throw new WrongChainIdException(
                $"The node at {eth.Rpc.Endpoint} is on chain {chainId}, but chain {expected} was expected; point the RPC URL at the right network or fix the chain id.",
                "eth_chainId", 0, $"chain {chainId}", null);
        return new AccountSender(eth, key, chainId, fees ?? FeeSettings.Default);
    }

    /// <summary>Builds and signs a type-2 transaction with the next nonce, current fees and an estimated gas limit. Nothing is sent.</summary>
    public async Task<SignedTransaction> SignAsync(TransactionRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var gasLimit = request.GasLimit ?? await EstimateGasAsync(request, ct).ConfigureAwait(false);
        var (maxFee, tip) = await CurrentFeesAsync(ct).ConfigureAwait(false);
        await _nonceLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _nextNonce ??= await Eth.GetTransactionCountAsync(Address, BlockTag.Pending, ct).ConfigureAwait(false);
            var transaction = new Eip1559Transaction
            {
                ChainId = ChainId,
                Nonce = _nextNonce.Value,
                MaxPriorityFeePerGas = tip,
                MaxFeePerGas = maxFee,
                GasLimit = gasLimit,
                To = request.To,
                Value = request.Value,
                Data = request.Data,
            };
            var signed = transaction.Sign(_key);
            _nextNonce++;
            return signed;
        }
        finally
        {
            _nonceLock.Release();
        }
    }

    /// <summary>Signs and broadcasts; after "nonce too low" it resynchronises the nonce and tries once more.</summary>
    public async Task<SignedTransaction> SendAsync(TransactionRequest request, CancellationToken ct = default)
    {
        var signed = await SignAsync(request, ct).ConfigureAwait(false);
        try
        {
            await Eth.SendRawTransactionAsync(signed.Raw, ct).ConfigureAwait(false);
            return signed;
        }
        catch (NonceTooLowException)
        {
            await ResynchroniseNonceAsync(ct).ConfigureAwait(false);
            signed = await SignAsync(request with { GasLimit = (long)signed.Transaction.GasLimit }, ct).ConfigureAwait(false);
            await Eth.SendRawTransactionAsync(signed.Raw, ct).ConfigureAwait(false);
            return signed;
        }
        catch
        {
            // The nonce was not used; take it back so the next transaction does not leave a gap.
            await ResynchroniseNonceAsync(ct).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Sends and waits for the receipt (mined, with <paramref name="confirmations"/> blocks).</summary>
    public async Task<TransactionReceipt> SendAndWaitAsync(TransactionRequest request, TimeSpan? timeout = null, int confirmations = 1, CancellationToken ct = default)
    {
        var signed = await SendAsync(request, ct).ConfigureAwait(false);
        return await Eth.WaitForReceiptAsync(signed.HashHex, timeout ?? TimeSpan.FromSeconds(60), confirmations, ct: ct).ConfigureAwait(false);
    }

    /// <summary>Forgets the held nonce; the next transaction reads the pending count again.</summary>
    public async Task ResynchroniseNonceAsync(CancellationToken ct = default)
    {
        await _nonceLock.WaitAsync(ct).ConfigureAwait(false);
        try { _nextNonce = null; }
        finally { _nonceLock.Release(); }
    }

    private async Task<long> EstimateGasAsync(TransactionRequest request, CancellationToken ct)
    {
        var estimate = await Eth.EstimateGasAsync(new CallRequest { From = Address, To = request.To, Data = request.Data, Value = request.Value }, ct).ConfigureAwait(false);
        return estimate * Fees.GasLimitMarginPerMille / 1000;
    }

    private async Task<(BigInteger MaxFee, BigInteger Tip)> CurrentFeesAsync(CancellationToken ct)
    {
        var responses = await Eth.Rpc.BatchAsync(
            Fees.PriorityFeePerGas is null
                ? [new RpcRequest("eth_getBlockByNumber", "latest", false), new RpcRequest("eth_maxPriorityFeePerGas")]
                : [new RpcRequest("eth_getBlockByNumber", "latest", false)], ct).ConfigureAwait(false);
        var block = BlockHeader.FromJson(responses[0].GetResult());
        var tip = Fees.PriorityFeePerGas ?? Encoding.Quantity.Decode(responses[1].GetResult().GetString()!, "priority fee");
        return Fees.Price(block.BaseFeePerGas ?? BigInteger.Zero, tip);
    }
}
