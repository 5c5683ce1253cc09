using System.Numerics;
using CsPoolState = TreasuryManager.Models.Curve.PoolState;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Contracts.Tests.Differential;

/// <summary>Reads a deployed ManagedPool into the C# pool model and compares the two.</summary>
public static class PoolMirror
{
    public static CsPoolState ToModel(ManagedPool.PoolState s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new CsPoolState(s.SqrtPriceX96, s.SqrtPriceLowX96, s.SqrtPriceHighX96, s.Reserve0, s.Reserve1, (int)s.FeePips, s.Liquidity);
    }

    public static Observation ToModel(ManagedPool.ObservationsResult o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new Observation((long)o.BlockTimestamp, (long)o.SecondsSincePrevious, o.LogPrice, o.LogPriceCumulative, o.SquaredReturnCumulative);
    }

    /// <summary>The chain's state equals the model's, field by field (stored liquidity included), and the reserves cover
    /// that liquidity (L ≤ refit of the state: the pool is solvent).</summary>
    public static void AssertEqual(CsPoolState expected, ManagedPool.PoolState chain, string context)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(chain);
        var actual = ToModel(chain);
        Assert.True(expected == actual, $"{context}: pool state differs from the C# model:\n  Solidity {actual}\n  C#       {expected}");
        Assert.True(chain.Liquidity <= actual.Capacity, $"{context}: liquidity {chain.Liquidity} exceeds what the reserves cover, {actual.Capacity}");
    }

    /// <summary>The newest observation on chain.</summary>
    public static async Task<Observation> NewestObservationAsync(ManagedPool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var slot0 = await pool.Slot0Async();
        return ToModel(await pool.ObservationsAsync(slot0.ObservationIndex));
    }

    public static async Task<long> BlockTimestampAsync(TreasuryDeployer d, ContractReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(receipt);
        return (await d.Eth.GetBlockAsync(BlockTag.Number(receipt.Receipt.BlockNumber))).Timestamp.ToUnixTimeSeconds();
    }

    /// <summary>A quote on the C# side as an <see cref="Outcome"/> in quoteExactIn's output order.</summary>
    public static Outcome Quote(CsPoolState state, bool zeroForOne, BigInteger amountIn) => Outcome.Of(() =>
    {
        var q = PoolSwap.Quote(state, zeroForOne, amountIn);
        return [q.AmountInUsed, q.AmountOut, q.FeeAmount, q.SqrtPriceAfterX96];
    });

    public static Outcome Preview(CsPoolState state, BigInteger centre, BigInteger bound) => Outcome.Of(() =>
    {
        var (l, low, high) = PoolSwap.PreviewReposition(state, centre, bound);
        return [l, low, high];
    });
}
