using System.Collections.Immutable;
using System.Numerics;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Models.Curve;
using TreasuryManager.Models.UniswapV3;

namespace TreasuryManager.Simulation.OnChain;

/// <summary>
/// The vault's position in a real Uniswap v3 pool (v3-core's own bytecode, deployed by
/// <see cref="UniswapV3PositionDeployment"/>) as an <see cref="IOnChainVenue"/>: the traders' swaps are signed
/// transactions through the minimal router (contracts/test/UniswapV3Callee: pays the pool from the trader), each to a
/// price limit at the position's range edge (the pool holds no other liquidity, so the curve the agents see is the
/// position's); the keeper acts through UniswapV3PositionManager in its own cycle.
/// <para>The state the agents and the PnL read is the treasury's: the pool's price, the position's range and
/// liquidity, and as reserves what the manager would hold if it withdrew everything now — the position burnt at the
/// pool's tick (rounded down), its uncollected fees and the idle holdings. The burn and the fees come from
/// <see cref="UniswapV3PoolModel.Burn"/> on a model built from the chain's reads (slot0, liquidity, fee growth, the
/// position's two ticks and its record), so the rule is the pool's own, to the unit.</para>
/// </summary>
public sealed class UniswapV3OnChainVenue : IOnChainVenue
{
    private const long SwapGasLimit = 1_000_000;
    /// <summary>The router's artifact (contracts/test): a swap through it pays the pool from the caller's approval.</summary>
    public const string RouterArtifactName = "UniswapV3Callee";

    private readonly UniswapV3PositionDeployment _v3;
    private readonly Contract _router;
    private readonly AccountSender[] _traders;
    private readonly FeeTier _tier;
    private readonly List<SwapRecord> _swaps = [];
    private FastPoolState _state;

    private UniswapV3OnChainVenue(UniswapV3PositionDeployment v3, Contract router, AccountSender[] traders, FeeTier tier)
    {
        _v3 = v3;
        _router = router;
        _traders = traders;
        _tier = tier;
    }

    /// <summary>Deploys the router, approves it for every trader on both tokens and reads the position.</summary>
    public static async Task<UniswapV3OnChainVenue> CreateAsync(UniswapV3PositionDeployment v3, AccountSender[] traders, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(v3);
        ArgumentNullException.ThrowIfNull(traders);
        if (traders.Length != 3) throw new ArgumentException("one trader account per class (noise, arbitrageur, informed)", nameof(traders));
        var d = v3.D;
        var (router, _) = await Contract.DeployAsync(d.Owner, d.Artifact(RouterArtifactName), [], ct: ct).ConfigureAwait(false);
        foreach (var trader in traders)
        {
            await d.Base.ApproveAsync(trader, router.Address, TreasuryDeployer.MaxUint256, ct).ConfigureAwait(false);
            await v3.Quote.ApproveAsync(trader, router.Address, TreasuryDeployer.MaxUint256, ct).ConfigureAwait(false);
        }
        var fee = (int)await v3.Pool.FeeAsync(ct: ct).ConfigureAwait(false);
        var venue = new UniswapV3OnChainVenue(v3, router, traders, new FeeTier(fee, v3.TickSpacing));
        await venue.RefreshAsync(ct).ConfigureAwait(false);
        return venue;
    }

    public ref readonly FastPoolState State => ref _state;

    public long LastRepositionTime { get; private set; }

    /// <summary>Every swap as the pool's Swap events report it, in order.</summary>
    public IReadOnlyList<SwapRecord> Swaps => _swaps;

    public void Refresh() => RefreshAsync().GetAwaiter().GetResult();

    /// <summary>Reads the pool and the position (see the class summary for what the reserves are).</summary>
    public async Task RefreshAsync(CancellationToken ct = default)
    {
        var pool = _v3.Pool;
        var slot0 = await pool.Slot0Async(ct: ct).ConfigureAwait(false);
        var position = await _v3.Manager.PositionOfAsync(pool.Address, ct: ct).ConfigureAwait(false);
        var spot = slot0.SqrtPriceX96;
        var (lower, upper) = ((int)position.TickLower, (int)position.TickUpper);
        BigInteger owed0 = 0, owed1 = 0, low = spot, high = spot;
        if (lower != upper && !position.Liquidity.IsZero)
        {
            (low, high) = (TickMath.GetSqrtRatioAtTick(lower), TickMath.GetSqrtRatioAtTick(upper));
            (owed0, owed1) = await WithdrawableAsync(slot0, lower, upper, position.Liquidity, ct).ConfigureAwait(false);
        }
        _state = new FastPoolState
        {
            SqrtPriceX96 = UInt256.FromBigInteger(spot),
            SqrtPriceLowX96 = UInt256.FromBigInteger(low),
            SqrtPriceHighX96 = UInt256.FromBigInteger(high),
            Reserve0 = UInt256.FromBigInteger(owed0 + position.Idle0),
            Reserve1 = UInt256.FromBigInteger(owed1 + position.Idle1),
            Liquidity = UInt256.FromBigInteger(position.Liquidity),
            FeePips = _tier.FeePips,
        };
        LastRepositionTime = (long)position.LastRebalanceTime;
    }

    /// <summary>What burning the manager's whole position and collecting would pay now: the pool model's burn on the
    /// chain's state of the two ticks and the position (its tokens owed after the burn: amounts plus fees).</summary>
    private async Task<(BigInteger Amount0, BigInteger Amount1)> WithdrawableAsync(Contracts.Bindings.IUniswapV3PoolMinimal.Slot0Result slot0, int lower, int upper, BigInteger liquidity, CancellationToken ct)
    {
        var pool = _v3.Pool;
        var owner = _v3.Manager.Address;
        var key = AbiPacked.Keccak256(["address", "int24", "int24"], [owner, new BigInteger(lower), new BigInteger(upper)]);
        var record = await pool.PositionsAsync(key, ct: ct).ConfigureAwait(false);
        var lo = await pool.TicksAsync(lower, ct: ct).ConfigureAwait(false);
        var hi = await pool.TicksAsync(upper, ct: ct).ConfigureAwait(false);
        var model = new UniswapV3PoolModel
        {
            Fee = _tier,
            SqrtPriceX96 = slot0.SqrtPriceX96,
            Tick = (int)slot0.Tick,
            Liquidity = await pool.LiquidityAsync(ct: ct).ConfigureAwait(false),
            FeeGrowthGlobal0X128 = await pool.FeeGrowthGlobal0X128Async(ct: ct).ConfigureAwait(false),
            FeeGrowthGlobal1X128 = await pool.FeeGrowthGlobal1X128Async(ct: ct).ConfigureAwait(false),
            Ticks = ImmutableDictionary<int, TickInfo>.Empty
                .Add(lower, new TickInfo(lo.LiquidityGross, lo.LiquidityNet, lo.FeeGrowthOutside0X128, lo.FeeGrowthOutside1X128))
                .Add(upper, new TickInfo(hi.LiquidityGross, hi.LiquidityNet, hi.FeeGrowthOutside0X128, hi.FeeGrowthOutside1X128)),
            InitializedTicks = [lower, upper],
            Positions = ImmutableDictionary<PositionKey, PositionInfo>.Empty.Add(Key(lower, upper),
                new PositionInfo(record.Liquidity, record.FeeGrowthInside0LastX128, record.FeeGrowthInside1LastX128, record.TokensOwed0, record.TokensOwed1)),
        };
        if (record.Liquidity != liquidity)
            throw new InvalidOperationException($"the pool records liquidity {record.Liquidity} for the manager on [{lower}, {upper}], the manager {liquidity}");
        var (burnt, _) = model.Burn(Key(lower, upper), liquidity);
        var owed = burnt.Position(Key(lower, upper));
        return (owed.TokensOwed0, owed.TokensOwed1);
    }

    private PositionKey Key(int lower, int upper) => new(_v3.Manager.Address.ToString(), lower, upper);

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

    /// <summary>The swap through the router to the range edge on its side; the pool's Swap event says what it did.</summary>
    public bool TrySwap(int step, Trader trader, bool zeroForOne, UInt256 amountIn, out FastPoolQuote quote)
    {
        quote = default;
        if (Quote(zeroForOne, amountIn) is null) return false;
        var sender = _traders[(int)trader];
        var limit = zeroForOne ? (BigInteger)_state.SqrtPriceLowX96 : (BigInteger)_state.SqrtPriceHighX96;
        var receipt = _router.SendAsync(sender, "swap(address,bool,int256,uint160,address)",
            [_v3.Pool.Address, zeroForOne, (BigInteger)amountIn, limit, sender.Address], gasLimit: SwapGasLimit).GetAwaiter().GetResult();
        var log = receipt.Receipt.Logs.Single(l => l.Address == _v3.Pool.Address && l.Topics[0].AsSpan().SequenceEqual(UniswapV3Venue.SwapEvent.Topic0));
        var swap = UniswapV3Venue.DecodeSwap(receipt.Receipt.BlockNumber, log.Topics, log.Data).Swap;
        Refresh();
        // the fee the pool kept: the input's fee share, rounded up as each of the pool's swap steps rounds it (one step here)
        var fee = (swap.AmountIn * _tier.FeePips + 999_999) / 1_000_000;
        quote = new FastPoolQuote(UInt256.FromBigInteger(swap.AmountIn), UInt256.FromBigInteger(swap.AmountOut), UInt256.FromBigInteger(fee), UInt256.FromBigInteger(swap.SqrtPriceX96));
        _swaps.Add(new SwapRecord(step, trader, zeroForOne, amountIn, quote.AmountInUsed, quote.AmountOut, quote.FeeAmount, quote.SqrtPriceAfterX96));
        return true;
    }

    public void Reposition(UInt256 sqrtPriceX96, UInt256 sqrtPriceBoundX96, int feePips, long timestamp) =>
        throw new NotSupportedException("on a Uniswap v3 pool the position is re-ranged by the keeper's cycle through UniswapV3PositionManager, not by the venue");

    public void SetReserves(UInt256 reserve0, UInt256 reserve1) =>
        throw new NotSupportedException("the on-chain mode runs single-position strategies (hold, static-range, managed on a v3 pool)");
}
