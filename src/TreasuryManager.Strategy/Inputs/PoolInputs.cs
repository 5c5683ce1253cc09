using System.Numerics;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Strategy.Inputs;

/// <summary>
/// A pool's curve and reserves as the strategy sees them: raw token units, Q64.96 square-root prices. The keeper fills it
/// from ManagedPool.poolState, the backtest from its in-memory venue.
/// </summary>
/// <param name="LastRepositionTime">Unix time of the last reposition (0: never).</param>
public sealed record PoolSnapshot(
    BigInteger SqrtPriceX96, BigInteger SqrtPriceLowX96, BigInteger SqrtPriceHighX96, BigInteger Liquidity, int FeePips,
    BigInteger Reserve0, BigInteger Reserve1, bool Paused, long LastRepositionTime)
{
    /// <summary>Strictly inside its range: the curve quotes both sides.</summary>
    public bool InRange => SqrtPriceX96 > SqrtPriceLowX96 && SqrtPriceX96 < SqrtPriceHighX96;

    /// <summary>The curve-math view of the same pool (for the pool's exact fit of a new range).</summary>
    public PoolState ToCurveState() => new(SqrtPriceX96, SqrtPriceLowX96, SqrtPriceHighX96, Reserve0, Reserve1, FeePips, Liquidity);
}

/// <summary>
/// The vault's policy for one pool (TreasuryVault.policyOf) in plain numbers: the bounds a rebalance must satisfy on chain.
/// </summary>
/// <param name="HasVolatilityFeed">Whether the policy names a volatility feed (then it must be fresh and positive).</param>
/// <param name="MaxTwapDeviationLog">The vault's maxTwapDeviationLog: the bps bound as a log-price distance.</param>
/// <param name="PriceScaleExp">dec(token1) − dec(token0) − dec(feed): turns the feed's answer into the pool's raw price.</param>
/// <param name="AllowInventoryRecovery">The vault's allowInventoryRecovery: a rebalance may run with the base share outside
/// [MinBaseShareBps, MaxBaseShareBps] (the skew must still point toward the target share).</param>
public sealed record PoolPolicy(
    long HeartbeatSeconds, bool HasVolatilityFeed, long TwapWindowSeconds, int MaxTwapDeviationBps, BigInteger MaxTwapDeviationLog,
    int MaxSkewBps, int MinFeePips, int MaxFeePips, int MinWidthBps, long MaxWidthBps, long MinRebalanceIntervalSeconds,
    int MinBaseShareBps, int MaxBaseShareBps, int PriceScaleExp, bool AllowInventoryRecovery = false);

/// <summary>A feed's latest round (Chainlink shape). <see cref="Feed"/> names it in messages only.</summary>
public sealed record FeedReading(string Feed, BigInteger Answer, long UpdatedAt, int Decimals)
{
    /// <summary>The answer in human units (quote per base for a price feed; annualised σ for a volatility feed).</summary>
    public double Value => (double)Answer / Math.Pow(10, Decimals);
}

/// <summary>Everything the Decider reads of one pool in a cycle.</summary>
/// <param name="TwapLogPrice">The pool's TWAP over the policy's window, in the vault's log-price units.</param>
/// <param name="RangeAtSpot">The venue keeps its price and mints the range at the spot (a Uniswap v3 position): the target
/// range is the model's, centred where the Decider centres it (<see cref="Rules.RangeFit.AtSpot"/>), instead of the
/// ManagedPool's fit, which moves the pool's price to the centre and derives one bound from the reserves.</param>
public sealed record PoolInputs(
    PoolSnapshot State, PoolPolicy Policy, FeedReading Price, FeedReading? Volatility, BigInteger TwapLogPrice,
    int BaseDecimals, int QuoteDecimals, bool RangeAtSpot = false);

/// <summary>The operator's inventory targets for a pool.</summary>
/// <param name="TargetBaseShareBps">The share of the pool's value the treasury wants in base, bps.</param>
/// <param name="HardLimitBps">Past target ± this, the inventory is urgent: the band and the gas ceiling are skipped.</param>
/// <param name="HedgeRatio">The pool's delta hedge ratio in [0, 1] (0: unhedged): the range's width weighs the price risk
/// the hedge leaves, 1 − HedgeRatio (Models.Risk.RangeWidth; docs/models.md "What concentration can and cannot buy").</param>
public sealed record PoolTargets(int TargetBaseShareBps, int HardLimitBps, double HedgeRatio = 0)
{
    /// <summary>1 − <see cref="HedgeRatio"/>: the share of the range's price risk no hedge takes.</summary>
    public double PriceExposure => HedgeRatio is >= 0 and <= 1 ? 1 - HedgeRatio : throw new ArgumentOutOfRangeException(nameof(HedgeRatio), HedgeRatio, "the hedge ratio must lie in [0, 1]");
}

/// <summary>The numbers of the cycle a decision needs besides the pool.</summary>
/// <param name="Timestamp">The latest block's time (unix seconds).</param>
/// <param name="GasPriceWei">What one unit of gas will cost: the next base fee plus the tip, within the cap.</param>
/// <param name="GasUnits">Gas of one rebalance (assumed before the Guard estimates it).</param>
/// <param name="EthPriceInQuote">ETH's price in this pool's quote token (prices gas in quote).</param>
/// <param name="InFlight">Whether an earlier rebalance of this pool is still in flight.</param>
public sealed record DecisionContext(long Timestamp, BigInteger GasPriceWei, long GasUnits, double EthPriceInQuote, bool InFlight);

/// <summary>A swap seen in the pool since the previous cycle (raw units).</summary>
public sealed record SwapSeen(long BlockNumber, bool ZeroForOne, BigInteger AmountIn, BigInteger AmountOut, BigInteger SqrtPriceX96);
