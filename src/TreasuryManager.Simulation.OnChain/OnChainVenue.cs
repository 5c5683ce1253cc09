using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Simulation.OnChain;

/// <summary>A venue on a local node: the chain is its source of truth, read back after every transaction.</summary>
public interface IOnChainVenue : IPoolVenue
{
    /// <summary>Every swap as the chain reported it, in order.</summary>
    new IReadOnlyList<SwapRecord> Swaps { get; }

    /// <summary>Reads the state from the chain again (after a transaction the venue did not send, e.g. the keeper's).</summary>
    void Refresh();
}

/// <summary>
/// A deployed ManagedPool on a local node as an <see cref="IPoolVenue"/>: swaps are signed <c>swapExactIn</c>
/// transactions from one funded account per trader class, a reposition is the keeper's <c>vault.rebalance</c>, and
/// the state is read back from the pool (<c>getState</c>) after every transaction — the chain is the source of
/// truth. Quotes come from the bit-exact C# mirror (<see cref="FastPoolSwap"/>) on that state, so an agent decides
/// exactly as it does in memory; a swap the mirror refuses is not sent (the pool would revert it too).
/// <para>The backtest's interface is synchronous (the in-memory hot path must not allocate tasks); this venue blocks
/// on its RPC calls, which is safe in the console host (no synchronisation context).</para>
/// </summary>
public sealed class OnChainVenue : IOnChainVenue
{
    private const long SwapGasLimit = 300_000;
    private readonly TreasuryDeployer _d;
    private readonly AccountSender[] _traders;
    private FastPoolState _state;

    public OnChainVenue(TreasuryDeployer deployment, AccountSender[] traders)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        if (traders.Length != 3) throw new ArgumentException("one trader account per class (noise, arbitrageur, informed)", nameof(traders));
        _d = deployment;
        _traders = traders;
        Refresh();
    }

    public ref readonly FastPoolState State => ref _state;

    public long LastRepositionTime { get; private set; }

    /// <summary>Every swap as the chain's Swap events report it, in order.</summary>
    public IReadOnlyList<SwapRecord> Swaps => _swaps;

    private readonly List<SwapRecord> _swaps = [];


    /// <summary>Reads the pool's state from the chain (after a transaction this venue did not send, e.g. the keeper's).</summary>
    public void Refresh()
    {
        var s = _d.Pool.GetStateAsync().GetAwaiter().GetResult();
        _state = FastPoolState.FromPoolState(new PoolState(s.SqrtPriceX96, s.SqrtPriceLowX96, s.SqrtPriceHighX96, s.Reserve0, s.Reserve1, (int)s.FeePips, s.Liquidity));
        LastRepositionTime = (long)s.LastRepositionTime;
    }

    public FastPoolQuote? Quote(bool zeroForOne, UInt256 amountIn)
    {
        if (amountIn.IsZero || !amountIn.FitsInUInt128 || _state.Liquidity.IsZero) return null;
        try
        {
            return FastPoolSwap.Quote(_state, zeroForOne, amountIn);
        }
        catch (CurveMathException)
        {
            return null;
        }
    }

    public bool TrySwap(int step, Trader trader, bool zeroForOne, UInt256 amountIn, out FastPoolQuote quote)
    {
        quote = default;
        if (Quote(zeroForOne, amountIn) is null) return false;
        var sender = _traders[(int)trader];
        var receipt = _d.Pool.Contract.SendAsync(sender, "swapExactIn(bool,uint256,uint256,address,uint256)",
            [zeroForOne, (BigInteger)amountIn, BigInteger.Zero, sender.Address, TreasuryDeployer.Deadline], gasLimit: SwapGasLimit).GetAwaiter().GetResult();
        var e = ManagedPool.SwapEvents(receipt).Single();
        Refresh();
        // The event's amountIn is what the pool took (the input it used); the state's price is the price after.
        quote = new FastPoolQuote(UInt256.FromBigInteger(e.AmountIn), UInt256.FromBigInteger(e.AmountOut),
            UInt256.FromBigInteger(e.FeeAmount), UInt256.FromBigInteger(e.SqrtPriceX96));
        _swaps.Add(new SwapRecord(step, trader, zeroForOne, amountIn, quote.AmountInUsed, quote.AmountOut, quote.FeeAmount, quote.SqrtPriceAfterX96));
        return true;
    }

    public void Reposition(UInt256 sqrtPriceX96, UInt256 sqrtPriceBoundX96, int feePips, long timestamp)
    {
        _d.Vault.RebalanceAsync(_d.Keeper, _d.Pool.Address,
            new TreasuryVault.Target((BigInteger)sqrtPriceX96, (BigInteger)sqrtPriceBoundX96, feePips, TreasuryDeployer.NoObservationHint)).GetAwaiter().GetResult();
        Refresh();
    }

    public void SetReserves(UInt256 reserve0, UInt256 reserve1) =>
        throw new NotSupportedException("the on-chain mode runs single-pool strategies (hold, full-range, static-range, managed); the passive strategy's three ranges are in-memory only");
}
