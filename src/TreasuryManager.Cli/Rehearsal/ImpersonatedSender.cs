using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.JsonRpc;

namespace TreasuryManager.Cli.Rehearsal;

/// <summary>
/// Sends a transaction from an address whose key is not at hand — on a local fork node only, never a real chain. The
/// node impersonates the address (hardhat_impersonateAccount, or anvil_impersonateAccount) and eth_sendTransaction
/// carries no signature. This is the rehearsal's alone: the keeper's transactions are signed, journaled and sent by
/// TransactionExecutor, which has no unsigned path.
/// </summary>
internal static class ImpersonatedSender
{
    /// <summary>The JSON-RPC error code of a method the node does not have.</summary>
    private const long MethodNotFound = -32601;

    /// <summary>Sends the call from <paramref name="from"/> and waits for its receipt; a node's refusal (a revert at send time) is <see cref="ForkTransaction.Refused"/>.</summary>
    public static async Task<ForkTransaction> SendAsync(EthClient fork, Address from, Address to, byte[] data, long gasLimit, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(fork);
        await ImpersonateAsync(fork.Rpc, from, ct).ConfigureAwait(false);
        string hash;
        try
        {
            var call = new CallRequest { From = from, To = to, Data = data, Gas = gasLimit };
            hash = (await fork.Rpc.CallAsync("eth_sendTransaction", [call.ToJson()], ct).ConfigureAwait(false)).GetString()!;
        }
        catch (RpcErrorException e)
        {
            // Hardhat answers a transaction that reverts with an error (it still mines it): the refusal is the outcome
            return ForkTransaction.Refused(e.NodeMessage);
        }
        var receipt = await fork.WaitForReceiptAsync(hash, timeout, confirmations: 1, ct: ct).ConfigureAwait(false);
        return ForkTransaction.Of(receipt);
    }

    private static async Task ImpersonateAsync(RpcClient rpc, Address who, CancellationToken ct)
    {
        try
        {
            await rpc.CallAsync("hardhat_impersonateAccount", [who.ToLowerHex()], ct).ConfigureAwait(false);
        }
        catch (RpcErrorException e) when (e.Code == MethodNotFound)
        {
            await rpc.CallAsync("anvil_impersonateAccount", [who.ToLowerHex()], ct).ConfigureAwait(false);
        }
    }
}
