using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.JsonRpc;

namespace TreasuryManager.Keeper.Execution;

/// <summary>
/// Why the chain refused a call, in one place: the treasury's custom errors by name with their arguments (the vault's,
/// then the Uniswap v3 position manager's, then the perp market's, then the pool's — errors bubble up through the vault),
/// else the node's own message (a Uniswap pool's own reverts are Error(string) codes such as "OLD").
/// </summary>
public static class RevertExplainer
{
    private static readonly ContractAbi[] TreasuryAbis = [TreasuryVault.Abi, UniswapV3PositionManager.Abi, PerpMarket.Abi, ManagedPool.Abi];

    /// <summary>The decoded revert of <paramref name="error"/> (Unknown when it is not a revert any treasury contract declares).</summary>
    public static RevertReason? Decode(RpcException error)
    {
        return error is ExecutionRevertedException { RevertData.Length: >= 4 } reverted ? RevertDecoder.Decode(reverted.RevertData, TreasuryAbis) : null;
    }

    /// <summary>One line: the custom error with its arguments, else the node's message.</summary>
    public static string Explain(RpcException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Decode(error) is { } reason ? reason.Message : error.Message;
    }
}
