using System.Numerics;
using TreasuryManager.Models.Curve;
using TreasuryManager.Strategy.Decisions;
using TreasuryManager.Strategy.Estimation;
using TreasuryManager.Strategy.Inputs;
using TreasuryManager.Strategy.Rules;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Simulation;

/// <summary>A liquidity strategy: sets up its pools from the treasury's starting inventory and acts once per step after the traders.</summary>
public interface IStrategy
{
    string Name { get; }

    /// <summary>Its pools, made by <paramref name="venues"/> holding the starting inventory, curves set (the set-up itself costs no gas in the comparison).</summary>
    IPoolVenue[] Start(MarketPath path, UInt256 base0, UInt256 quote0, IVenueFactory venues);

    void OnStep(Market market, int step);

    /// <summary>The pool whose price and range the charts show.</summary>
    IPoolVenue Main { get; }

    /// <summary>How often each decision was taken (the managed keeper: Plan, Sent, and each Hold reason); empty for the others.</summary>
    IReadOnlyDictionary<string, int> Decisions => EmptyDecisions;

    static readonly IReadOnlyDictionary<string, int> EmptyDecisions = new Dictionary<string, int>();
}

/// <summary>The strategies compared, in report order.</summary>
public static class Strategies
{
    public static readonly string[] Names = ["hold", "full-range", "static-range", "passive", "managed", "hedged", "defended"];

    /// <summary>Variants of the keeper that <see cref="Create"/> also knows, for comparisons (not in the default report).</summary>
    public static readonly string[] Variants = ["managed-defended", "managed-stddev", "managed-skew", "managed-noskew", "managed-modelfee", "managed-lvrfee", "managed-frozen", "managed-hedged-width", "hedged-inventory", "defended-inventory"];

    public static IStrategy Create(string name, Scenario s) => name switch
    {
        "hold" => new HoldStrategy(),
        "full-range" => new StaticStrategy("full-range", FullRangeHalfWidth),
        "static-range" => new StaticStrategy("static-range", s.Strategies.StaticHalfWidth),
        "passive" => new PassiveStrategy(s),
        "managed" => new ManagedStrategy(s),
        "managed-defended" => new ManagedStrategy(s, new DefenceSettings { Enabled = true }),
        "managed-stddev" => new ManagedStrategy(s, "managed-stddev", defence: null, RangeWidthRule.StdDevs),
        "managed-skew" => new ManagedStrategy(s, "managed-skew", st => st with { InventorySkew = 1 }),
        "managed-noskew" => new ManagedStrategy(s, "managed-noskew", st => st with { InventorySkew = 0 }),
        "managed-modelfee" => new ManagedStrategy(s, "managed-modelfee", st => st with { FeeRule = FeeRule.Model }),
        "managed-lvrfee" => new ManagedStrategy(s, "managed-lvrfee", st => st with { FeeRule = FeeRule.FeeVersusLvr }),
        "managed-frozen" => new ManagedStrategy(s with { Strategies = s.Strategies with { AllowInventoryRecovery = false } }, "managed-frozen", st => st),
        // the hedged strategies' pool without their hedge: its width weighs the risk the hedge would leave (perp.hedge_ratio)
        "managed-hedged-width" => new ManagedStrategy(s, "managed-hedged-width", defence: null, hedgeRatio: s.Perp.HedgeRatio),
        "hedged" => new HedgedStrategy(s, "hedged", defended: false),
        "defended" => new HedgedStrategy(s, "defended", defended: true),
        "hedged-inventory" => new HedgedStrategy(s, "hedged-inventory", defended: false, againstHold: false),
        "defended-inventory" => new HedgedStrategy(s, "defended-inventory", defended: true, againstHold: false),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown strategy"),
    };

    /// <summary>"Full range": <see cref="Models.Policy.VaultPolicyMath.FullRangeHalfWidth"/> around the start.</summary>
    public const double FullRangeHalfWidth = Models.Policy.VaultPolicyMath.FullRangeHalfWidth;

    /// <summary>
    /// Repositions <paramref name="venue"/> to centre <paramref name="centre"/> with log half-width
    /// <paramref name="halfWidth"/>: fixes the bound whose side gives the larger liquidity and lets the pool fit the
    /// other (as the keeper's Decider does). False if the pool can fit neither.
    /// </summary>
    public static bool FitRange(IPoolVenue venue, double centre, double halfWidth, int feePips, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(venue);
        var sqrtCentre = Uint.SqrtPriceX96FromPrice(centre);
        var (fit, _) = RangeFit.Fit(venue.State.ToPoolState(), sqrtCentre, centre, halfWidth);
        if (fit is not { } f) return false;
        venue.Reposition(UInt256.FromBigInteger(sqrtCentre), UInt256.FromBigInteger(f.Bound), feePips, timestamp);
        return true;
    }
}

/// <summary>No liquidity: the treasury holds its starting tokens (the benchmark every PnL is measured against).</summary>
public sealed class HoldStrategy : IStrategy
{
    private IPoolVenue _venue = null!;
    public string Name => "hold";
    public IPoolVenue Main => _venue;

    public IPoolVenue[] Start(MarketPath path, UInt256 base0, UInt256 quote0, IVenueFactory venues)
    {
        _venue = venues.Create(Units.SqrtPriceX96(path.Reference[0]), base0, quote0, path.Scenario.Pool.FeePips);
        return [_venue];
    }

    public void OnStep(Market market, int step)
    {
    }
}

/// <summary>One range set at the start around the starting price, never moved (full range, or a static concentrated range).</summary>
public sealed class StaticStrategy(string name, double halfWidth) : IStrategy
{
    private IPoolVenue _venue = null!;
    public string Name => name;
    public IPoolVenue Main => _venue;

    public IPoolVenue[] Start(MarketPath path, UInt256 base0, UInt256 quote0, IVenueFactory venues)
    {
        _venue = venues.Create(Units.SqrtPriceX96(path.Reference[0]), base0, quote0, path.Scenario.Pool.FeePips);
        if (!Strategies.FitRange(_venue, path.Reference[0], halfWidth, path.Scenario.Pool.FeePips, path.Timestamp(0)))
            throw new InvalidOperationException($"{name}: no range of half-width {halfWidth} fits the starting inventory");
        return [_venue];
    }

    public void OnStep(Market market, int step)
    {
    }
}

/// <summary>
/// A Charm-style passive rebalancer (Charm Alpha Vaults v2, `AlphaProVault`), at Charm's published defaults unless a
/// scenario overrides them: a full-range position funded with <see cref="StrategyParameters.PassiveFullRangeWeight"/>
/// (30%) of the liquidity the whole inventory could fund on a full range; a base range of log half-width w_b (0.24,
/// 2400 ticks) around the pool's price holding as much of the rest as it can in balance; and a limit range of log
/// width w_l (0.12, 1200 ticks) on one side of the price holding the surplus token (surplus base just above the price,
/// surplus quote just below). All three are reset every period when the pool's price is within the TWAP guard of its
/// TWAP. ManagedPool holds one range, so this strategy is modelled honestly as three in-memory pools sharing the flow:
/// a taker goes to the pool with the better marginal price, the arbitrageur trades each pool to the reference. A
/// rebalance withdraws all three and redeposits (gas: three Uniswap v3 repositions by default).
/// </summary>
public sealed class PassiveStrategy(Scenario s) : IStrategy
{
    private IPoolVenue _base = null!;
    private IPoolVenue _limit = null!;
    private IPoolVenue? _full;
    private readonly RollingTwap _twap = new(Math.Max(1, (int)Math.Ceiling(s.Strategies.PassiveTwapSeconds / s.StepSeconds)));
    private int _lastRebalanceStep;
    public string Name => "passive";
    public IPoolVenue Main => _base;

    /// <summary>The pools in a fixed order: base, limit, then the full range when its weight is above zero.</summary>
    public IPoolVenue[] Start(MarketPath path, UInt256 base0, UInt256 quote0, IVenueFactory venues)
    {
        var sqrt = Units.SqrtPriceX96(path.Reference[0]);
        _base = venues.Create(sqrt, base0, quote0, s.Pool.FeePips);
        _limit = venues.Create(sqrt, UInt256.Zero, UInt256.Zero, s.Pool.FeePips);
        if (s.Strategies.PassiveFullRangeWeight > 0) _full = venues.Create(sqrt, UInt256.Zero, UInt256.Zero, s.Pool.FeePips);
        Rebalance(path.Reference[0], path.Timestamp(0));
        return Pools;
    }

    private IPoolVenue[] Pools => _full is null ? [_base, _limit] : [_base, _limit, _full];

    public void OnStep(Market market, int step)
    {
        var logP = Math.Log(Units.Price(_base.State.SqrtPriceX96));
        _twap.Add(logP);
        var period = Math.Max(1, (int)Math.Round(s.Strategies.PassivePeriodDays / s.Dt));
        if (step - _lastRebalanceStep < period) return;
        var twap = _twap.MeanLogPrice;
        if (Math.Abs(logP - twap) * 10_000 > s.Strategies.PassiveMaxTwapDeviationBps) return; // Charm's TWAP guard
        Rebalance(Math.Exp(logP), market.Path.Timestamp(step));
        market.ChargeRebalance(step, s.Strategies.PassiveRebalanceGas);
        _lastRebalanceStep = step;
    }

    /// <summary>The raw amounts of <paramref name="fraction"/> of the largest liquidity the reserves (r0, r1) fund on the
    /// range of log half-width <paramref name="halfWidth"/> around <paramref name="price"/>, a hair inside (so the pool's
    /// exact fit never needs more than it holds) and at most what is there. Per unit of liquidity x = 1/√P − 1/√p_b,
    /// y = √P − √p_a (p_a = P·e^−h, p_b = P·e^h): <see cref="ConcentratedPosition"/>'s amounts, written with √P·e^(±h/2)
    /// as the benchmark's published figures were measured (ConcentratedPosition's rounding moves them in the fifth digit).</summary>
    private static (UInt256 X, UInt256 Y) Balanced(double price, double halfWidth, double fraction, UInt256 r0, UInt256 r1)
    {
        var sp = Math.Sqrt(price);
        var (perX, perY) = (1 / sp - 1 / (sp * Math.Exp(halfWidth / 2)), sp - sp * Math.Exp(-halfWidth / 2));
        var l = Math.Min(Units.Human(r0) / perX, Units.Human(r1) / perY) * fraction * 0.999_999;
        var bx = Units.Raw(l * perX);
        var by = Units.Raw(l * perY);
        return (bx > r0 ? r0 : bx, by > r1 ? r1 : by);
    }

    private void Rebalance(double price, long timestamp)
    {
        var r0 = UInt256.Zero;
        var r1 = UInt256.Zero;
        foreach (var p in Pools)
        {
            r0 += p.State.Reserve0;
            r1 += p.State.Reserve1;
        }
        // Charm v2's order: the full range first (its weight of what the whole inventory funds there), then the base
        // range balanced from the rest, then the limit range with what is left
        if (_full is not null)
        {
            var (fx, fy) = Balanced(price, Strategies.FullRangeHalfWidth, s.Strategies.PassiveFullRangeWeight, r0, r1);
            _full.SetReserves(fx, fy);
            Strategies.FitRange(_full, price, Strategies.FullRangeHalfWidth, s.Pool.FeePips, timestamp);
            r0 -= fx;
            r1 -= fy;
        }
        var w = s.Strategies.PassiveBaseHalfWidth;
        var (bx, by) = Balanced(price, w, 1, r0, r1);
        _base.SetReserves(bx, by);
        _limit.SetReserves(r0 - bx, r1 - by);
        Strategies.FitRange(_base, price, w, s.Pool.FeePips, timestamp);
        // the limit range on the surplus side: base above the price, quote below
        var surplusBase = Units.Human(_limit.State.Reserve0) * price > Units.Human(_limit.State.Reserve1);
        var sqrtCentre = Units.SqrtPriceX96(price);
        var bound = Units.SqrtPriceX96(price * Math.Exp(surplusBase ? s.Strategies.PassiveLimitWidth : -s.Strategies.PassiveLimitWidth));
        var value = Units.Human(_limit.State.Reserve0) * price + Units.Human(_limit.State.Reserve1);
        if (value > 1e-9 * (Units.Human(r0) * price + Units.Human(r1)))
        {
            // move the dust of the other token back into the base pool so the limit range is one-sided
            if (surplusBase && !_limit.State.Reserve1.IsZero)
            {
                _base.SetReserves(_base.State.Reserve0, _base.State.Reserve1 + _limit.State.Reserve1);
                _limit.SetReserves(_limit.State.Reserve0, UInt256.Zero);
            }
            else if (!surplusBase && !_limit.State.Reserve0.IsZero)
            {
                _base.SetReserves(_base.State.Reserve0 + _limit.State.Reserve0, _base.State.Reserve1);
                _limit.SetReserves(UInt256.Zero, _limit.State.Reserve1);
            }
            try
            {
                _limit.Reposition(sqrtCentre, bound, s.Pool.FeePips, timestamp);
            }
            catch (CurveMathException)
            {
                // too small to fit a range: the surplus stays idle this period
            }
        }
    }
}

/// <summary>
/// Ours: the keeper's own pure decision, <see cref="Decider.Decide"/> from the Strategy core, fed the inputs the keeper
/// reads from chain (pool state, the vault's policy, the feeds' rounds, the pool's TWAP over the policy's window) built
/// from the simulated pool and oracle, and estimates from the keeper's <see cref="PoolEstimators"/> fed with the pool's
/// swaps. A rebalance is applied as the vault's rebalance (the pool's reposition) and its gas charged; like the keeper's
/// Guard, a non-urgent one waits while gas is above the ceiling (<see cref="GasRules.WaitsForGas"/>). It starts from the
/// static-range curve. Decisions are counted under the labels the keeper's metrics use (<see cref="DecisionLabels"/>).
/// </summary>
public sealed class ManagedStrategy : IStrategy
{
    private const int FeedDecimals = 8;

    private readonly Scenario _s;
    private readonly PoolTargets _targets;
    private readonly StrategySettings _strategy;
    private readonly ManagedParameters.GasTerms _gas;
    private readonly PoolPolicy _policy;
    private readonly PoolEstimators _estimators;
    private readonly RollingTwap _twap;
    private IPoolVenue _venue = null!;
    private int _swapsSeen;

    public ManagedStrategy(Scenario s, DefenceSettings? defence = null)
        : this(s, defence?.Enabled == true ? "managed-defended" : "managed", defence)
    {
    }

    /// <summary>
    /// The keeper's decision under another name; <paramref name="defence"/> (if given) replaces StrategySettings.Defence (the
    /// toxic-flow defence) and <paramref name="width"/> (if given) StrategySettings.RangeWidth; <paramref name="hedgeRatio"/> is
    /// the pool's hedge (PoolTargets.HedgeRatio: the hedged strategies' perp.hedge_ratio, 0 unhedged).
    /// </summary>
    public ManagedStrategy(Scenario s, string name, DefenceSettings? defence, RangeWidthRule? width = null, double hedgeRatio = 0)
        : this(s, name, strategy => strategy with { Defence = defence ?? strategy.Defence, RangeWidth = width ?? strategy.RangeWidth }, hedgeRatio)
    {
    }

    /// <summary>The keeper's decision under another name, its settings changed by <paramref name="change"/> (a variant to compare).</summary>
    public ManagedStrategy(Scenario s, string name, Func<StrategySettings, StrategySettings> change, double hedgeRatio = 0)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(s);
        _s = s;
        Name = name;
        var p = s.Strategies;
        (_targets, _strategy, _gas) = ManagedParameters.From(s);
        _strategy = change(_strategy);
        _targets = _targets with { HedgeRatio = hedgeRatio };
        _policy = new PoolPolicy((long)Math.Ceiling(s.Oracle.HeartbeatSeconds), HasVolatilityFeed: true, p.TwapWindowSeconds, p.MaxTwapDeviationBps,
            MaxTwapDeviationLog(p.MaxTwapDeviationBps), p.MaxSkewBps, p.MinFeePips, p.MaxFeePips, p.MinWidthBps, p.MaxWidthBps, p.MinRebalanceIntervalSeconds,
            p.MinBaseShareBps, p.MaxBaseShareBps, PriceScaleExp: 18 - 18 - FeedDecimals, p.AllowInventoryRecovery);
        _estimators = new PoolEstimators(_strategy.VolatilitySmoothingSeconds, defence: _strategy.Defence);
        _twap = new RollingTwap(Math.Max(1, (int)Math.Ceiling(p.TwapWindowSeconds / s.StepSeconds)));
    }

    public string Name { get; }
    public IPoolVenue Main => _venue;

    /// <summary>The keeper's settings this strategy decides with.</summary>
    public StrategySettings Settings => _strategy;

    /// <summary>TreasuryVault._setMaxTwapDeviation (the one home: <see cref="Models.Policy.VaultPolicyMath.MaxTwapDeviationLog"/>).</summary>
    internal static BigInteger MaxTwapDeviationLog(int bps) => Models.Policy.VaultPolicyMath.MaxTwapDeviationLog(bps);

    public IPoolVenue[] Start(MarketPath path, UInt256 base0, UInt256 quote0, IVenueFactory venues)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(venues);
        _venue = venues.Create(Units.SqrtPriceX96(path.Reference[0]), base0, quote0, _s.Pool.FeePips, recordSwaps: true);
        // with the trade-off's width, an unhedged pool is deployed at the widest range the policy allows, which its keeper's
        // first cycle would choose before any fee is seen (the gate; Keeper.Tests FirstCycleWidthTests on a node); a hedged
        // one (or the σ rule's) at the static range, re-ranged once its fees are seen
        var startHalfWidth = _strategy.RangeWidth == RangeWidthRule.FeeVersusLvr && _targets.PriceExposure > 0
            ? Decider.WidestHalfWidth(_policy) : _s.Strategies.StaticHalfWidth;
        if (!Strategies.FitRange(_venue, path.Reference[0], startHalfWidth, _s.Pool.FeePips, 0))
            throw new InvalidOperationException("managed: the starting range does not fit the inventory");
        return [_venue];
    }

    public void OnStep(Market market, int step)
    {
        ArgumentNullException.ThrowIfNull(market);
        _twap.Add(Math.Log(Units.Price(_venue.State.SqrtPriceX96)));
        if (step % _s.Strategies.KeeperEverySteps != 0) return;

        var path = market.Path;
        var now = path.Timestamp(step);
        var st = _venue.State;
        var swaps = new List<SwapSeen>();
        var log = _venue.Swaps ?? throw new InvalidOperationException("the managed strategy needs a venue that records its swaps");
        for (; _swapsSeen < log.Count; _swapsSeen++)
        {
            var r = log[_swapsSeen];
            swaps.Add(new SwapSeen(r.Step, r.ZeroForOne, r.AmountInUsed, r.AmountOut, r.SqrtPriceAfterX96));
        }
        var state = new PoolSnapshot(st.SqrtPriceX96, st.SqrtPriceLowX96, st.SqrtPriceHighX96, st.Liquidity, st.FeePips,
            st.Reserve0, st.Reserve1, Paused: false, _venue.LastRepositionTime);
        var price = new FeedReading("price feed", new BigInteger(Math.Round(path.OraclePrice[step] * 1e8)), path.OracleUpdatedAt[step], FeedDecimals);
        var vol = new FeedReading("volatility feed", new BigInteger(Math.Round(path.OracleVolatilityAnnual[step] * 1e8)), path.OracleUpdatedAt[step], FeedDecimals);
        var twap = new BigInteger(Math.Round(_twap.MeanLogPrice / Math.Log(2) * (1 << 24)));
        var estimates = _estimators.Update(state, swaps, price, now, 18, 18);
        LastDefence = estimates.Defence;
        var gasWei = new BigInteger(path.GasGwei[step] * 1e9);
        var inputs = new PoolInputs(state, _policy, price, vol, twap, 18, 18);
        var decision = Decider.Decide(inputs, estimates, _targets, _strategy, new DecisionContext(now, gasWei, _s.Strategies.ManagedRebalanceGas, _gas.EthPriceInQuote, InFlight: false));
        LastDecision = decision;
        if (decision is not RebalanceAction plan)
        {
            Count(DecisionLabels.Of(((HoldAction)decision).Reason));
            return;
        }
        if (GasRules.WaitsForGas(plan.Urgent, gasWei, _gas.BaseFeeCeilingWei))
        {
            Count(DecisionLabels.Of(HoldReason.GasAboveCeiling)); // the keeper's Guard holds a non-urgent plan while gas is above the ceiling
            return;
        }
        try
        {
            _venue.Reposition(UInt256.FromBigInteger(plan.Target.SqrtPriceX96), UInt256.FromBigInteger(plan.Target.SqrtPriceBoundX96), plan.Target.FeePips, now);
        }
        catch (CurveMathException)
        {
            return; // the vault would revert: nothing sent, no gas in this model (the Guard's eth_call catches it)
        }
        market.ChargeRebalance(step, _s.Strategies.ManagedRebalanceGas);
        Count(plan.CountLabel);
    }

    private readonly Dictionary<string, int> _decisions = [];

    public IReadOnlyDictionary<string, int> Decisions => _decisions;

    private void Count(string key) => _decisions[key] = _decisions.GetValueOrDefault(key) + 1;

    /// <summary>The toxic-flow monitor's reading at the last keeper step (for tests and diagnostics).</summary>
    public DefenceSignal? LastDefence { get; private set; }

    /// <summary>The Decider's last output (for tests and diagnostics).</summary>
    public StrategyDecision? LastDecision { get; private set; }
}
