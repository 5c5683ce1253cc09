using System.Globalization;
using System.Numerics;
using TreasuryManager.Models.Curve;
using TreasuryManager.Models.Policy;
using TreasuryManager.Models.Risk;
using TreasuryManager.Strategy.Estimation;
using TreasuryManager.Strategy.Inputs;
using TreasuryManager.Strategy.Rules;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Strategy.Decisions;

/// <summary>
/// The Decide step, pure: from one pool's inputs and estimates to a <see cref="RebalanceAction"/> or a
/// <see cref="HoldAction"/>. Shared by the keeper and the backtest. Its stages, in order:
/// <list type="number">
/// <item><see cref="Preconditions"/>: the vault's own checks with its numbers (paused, feeds fresh and positive, a usable
/// price): a rebalance the vault would refuse is a Hold naming the check.</item>
/// <item><see cref="Measure"/>: inventory q = x − w·(x·s + y)/s in base; the band q̄ = (12·c·η²/(γσ²))^(1/4)
/// (docs/models.md, "The band") with c the gas in quote, σ = σ_log·s and η = depth·σ_log, depth = L/(2√P) the base the
/// curve trades per unit of log price (zero at a range edge: the curve quotes one side only and the band is zero).</item>
/// <item><see cref="PolicyGate"/>: the vault's bounds that need the measure (inventory bounds, interval, TWAP deviation),
/// a rebalance in flight, a volatility to decide with.</item>
/// <item><see cref="Trigger"/>: rebalance when |q| &gt; q̄ and the expected benefit — the inventory risk avoided over
/// the horizon, (γσ²/2)·q²·H — is at least the margin times c; an inventory past the hard limit is urgent and skips
/// the benefit test. Inside the band, a pool holding value but no liquidity is placed (<see cref="PlacementTrigger"/>), and
/// a range off the trade-off's width is re-ranged when that pays (<see cref="WidthTrigger"/>).</item>
/// <item><see cref="Target"/>: GLFT quotes → centre, fee and range (QuotesToCurve), clamped into the policy (fee bounds,
/// skew within <see cref="SkewUseFraction"/> of the limit).</item>
/// <item><see cref="Defence"/> when enabled (<see cref="ToxicFlowMonitor"/>): while its signal is on the fee is raised and
/// the range widened within the policy (skipping the band: it changes the quote, not the inventory); once off, a pool
/// still quoted that way is restored.</item>
/// <item><see cref="FitWithinPolicy"/>: fitted exactly as the pool will fit it (<see cref="RangeFit"/>), the width
/// stepped into the policy's bounds; a target the pool's curve already matches is a Hold (AlreadyAtTarget).</item>
/// </list>
/// </summary>
public static class Decider
{
    /// <summary>Days per year: an annualised volatility feed is divided by √365 to per √day.</summary>
    public const double DaysPerYear = 365;

    /// <summary>The GLFT lot: 1% of the pool's value, in base. The quotes' distances are per lot; 1% keeps a lot small
    /// against the pool (the asymptotic formulas assume small lots) and large against rounding.</summary>
    public const double LotFractionOfValue = 0.01;

    /// <summary>The smallest lot, in base: keeps the models away from a zero lot on an empty pool.</summary>
    public const double MinLot = 1e-12;

    /// <summary>The centre uses at most 90% of the skew the vault allows (the policy's limit, scaled by the inventory's
    /// imbalance and only toward it): the oracle may tick between the decision and the block, and a centre at the limit
    /// would then revert with SkewTooLarge or SkewAgainstInventory.</summary>
    public const double SkewUseFraction = 0.9;

    /// <summary>Each fitting attempt widens (or narrows) the half-width by this factor to enter the policy's width bounds.</summary>
    public const double WidthStep = 1.5;

    /// <summary>Attempts of the fit: 1.5^12 ≈ 130, from the narrowest model range past any policy's bounds.</summary>
    public const int MaxFitAttempts = 12;

    /// <summary>A log half-width past which a failing fit stops widening: e^20 ≈ 5·10^8, beyond any price range a pool holds.</summary>
    public const double MaxLogHalfWidth = 20;

    /// <summary>Already quoted defensively when the pool's fee is at least 95% of the defensive fee (a fee clamped or
    /// rounded by pips) and its half-width at least 80% of the defensive one (the fit steps the width by 1.5×).</summary>
    public const double DefensiveFeeMatch = 0.95;

    /// <inheritdoc cref="DefensiveFeeMatch"/>
    public const double DefensiveWidthMatch = 0.8;

    /// <summary>After the defence, a pool whose fee or half-width is 1.5× the normal target's or more is restored; closer
    /// than that the band decides as usual.</summary>
    public const double RestoreRatio = 1.5;

    /// <summary>The pool's curve is the target when both ends are within a tenth of the target's log width…</summary>
    public const double SameCurveWidthTolerance = 0.1;

    /// <summary>…and the fee within 5%.</summary>
    public const double SameCurveFeeTolerance = 0.05;

    public static StrategyDecision Decide(PoolInputs inputs, PoolEstimates estimates, PoolTargets targets, StrategySettings strategy, DecisionContext context)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(estimates);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(context);
        if (Preconditions(inputs, context) is { } unusable) return unusable;
        var m = Measure(inputs, estimates, targets, strategy, context);
        if (PolicyGate(inputs, m, context) is { } gated) return gated;
        var trigger = Trigger(m, targets, strategy, context, Movable(inputs, m, strategy));
        var width = ChooseWidth(inputs, estimates, targets, strategy, m); // once: the width trigger and the target both use it
        if (trigger.Hold is not null && PlacementTrigger(inputs, m, trigger) is { } place) trigger = place;
        if (trigger.Hold is not null && WidthTrigger(width, strategy, m, trigger) is { } reRange) trigger = reRange;
        var defence = strategy.Defence.Enabled ? estimates.Defence : null;
        if (trigger.Hold is { } bandHold && defence is null) return bandHold;

        var (quote, noCurve) = Target(inputs, estimates, strategy, m, trigger, width);
        if (noCurve is not null) return noCurve;
        var (kind, cause) = (trigger.Kind, trigger.Cause);
        if (defence is not null)
        {
            var (outcome, defensive) = Defence(inputs.State, inputs.Policy, strategy.Defence, defence, quote!, trigger, m);
            if (defensive is not null) return defensive;
            if (outcome is not null) (quote, kind, cause) = (outcome.Quote, outcome.Kind, outcome.Trigger);
            else if (trigger.Hold is { } held) return held;
        }
        return FitWithinPolicy(inputs, m, quote!, kind!.Value, cause, context, trigger.Reasons);
    }

    // ---------------------------------------------------------------- stage 1: preconditions

    /// <summary>The vault's own checks that need no measure: paused, the price feed fresh and usable, the volatility feed (if any) fresh and positive.</summary>
    internal static HoldAction? Preconditions(PoolInputs inputs, DecisionContext context)
    {
        var policy = inputs.Policy;
        var now = context.Timestamp;
        if (inputs.State.Paused) return new(HoldReason.PoolPaused, "the pool is paused (the guardian or owner paused the vault); the owner must unpause");
        var price = inputs.Price;
        if (FeedFreshness.IsStale(now, price.UpdatedAt, policy.HeartbeatSeconds))
            return new(HoldReason.StaleOracle, $"the price feed {price.Feed} was last updated {FeedFreshness.Age(now, price.UpdatedAt)} s ago, past the heartbeat of {policy.HeartbeatSeconds} s; the reporter must post a fresh price");
        if (VaultPolicyMath.PriceX128(price.Answer, policy.PriceScaleExp) is null)
            return new(HoldReason.BadOracleAnswer, $"the price feed's answer {price.Answer} is not a usable price (it must be positive and in range)");
        if (policy.HasVolatilityFeed)
        {
            if (inputs.Volatility is not { } vol) return new(HoldReason.ObserveFailed, "the volatility feed could not be read");
            if (FeedFreshness.IsStale(now, vol.UpdatedAt, policy.HeartbeatSeconds))
                return new(HoldReason.StaleOracle, $"the volatility feed {vol.Feed} was last updated {FeedFreshness.Age(now, vol.UpdatedAt)} s ago, past the heartbeat of {policy.HeartbeatSeconds} s; the reporter must post");
            if (vol.Answer.Sign <= 0) return new(HoldReason.BadOracleAnswer, $"the volatility feed's answer {vol.Answer} is not positive");
        }
        return null;
    }

    // ---------------------------------------------------------------- stage 2: measure

    /// <summary>The figures of one decision (human units; raw where the vault's integer formulas need them).</summary>
    internal sealed record Measurement(
        double Base, double Quote, double OraclePrice, double RawToHuman, double PoolPrice, int ShareBps, BigInteger PriceX128,
        double? Sigma, string SigmaSource, double TargetShare, double Value, double Inventory, double Depth, double Band, double GasCost,
        InventoryView View)
    {
        /// <summary>Some liquidity quotes the reserves (false: a position never minted, or burned by a withdrawal).</summary>
        public bool Placed { get; init; } = true;
    }

    internal static Measurement Measure(PoolInputs inputs, PoolEstimates estimates, PoolTargets targets, StrategySettings strategy, DecisionContext context)
    {
        var state = inputs.State;
        var x = Human(state.Reserve0, inputs.BaseDecimals);
        var y = Human(state.Reserve1, inputs.QuoteDecimals);
        var s = inputs.Price.Value; // human quote per base (the feed's convention)
        var rawToHuman = Math.Pow(10, inputs.BaseDecimals - inputs.QuoteDecimals);
        var poolPrice = Uint.PriceFromSqrtPriceX96(state.SqrtPriceX96) * rawToHuman;
        var priceX128 = VaultPolicyMath.PriceX128(inputs.Price.Answer, inputs.Policy.PriceScaleExp)!.Value;
        var share = (int)VaultPolicyMath.BaseShareBps(state.Reserve0, state.Reserve1, priceX128);
        var (sigma, source) = Volatility(inputs.Volatility, estimates);
        var w = targets.TargetBaseShareBps / 10_000.0;
        var value = x * s + y;
        var q = x - w * value / s;
        var depth = state.InRange ? (double)state.Liquidity / (2 * Math.Sqrt(Uint.PriceFromSqrtPriceX96(state.SqrtPriceX96))) / Math.Pow(10, inputs.BaseDecimals) : 0.0;
        var gasCost = GasRules.Cost(context.GasUnits, context.GasPriceWei, context.EthPriceInQuote);
        var band = sigma is { } sig && depth > 0 ? Band.Width(gasCost, depth * sig, strategy.RiskAversion, sig * s) : 0;
        var view = new InventoryView(x, y, s, poolPrice, share, q, band, sigma ?? double.NaN, source, FeedFreshness.Age(context.Timestamp, inputs.Price.UpdatedAt));
        return new Measurement(x, y, s, rawToHuman, poolPrice, share, priceX128, sigma, source, w, value, q, depth, band, gasCost, view)
        {
            Placed = !state.Liquidity.IsZero,
        };
    }

    /// <summary>σ of ln price per √day: the larger of the volatility feed (annualised ÷ √365) and the pool's own EWMA.</summary>
    internal static (double? Sigma, string Source) Volatility(FeedReading? volatilityFeed, PoolEstimates estimates)
    {
        double? feed = volatilityFeed is { Answer.Sign: > 0 } v ? v.Value / Math.Sqrt(DaysPerYear) : null;
        var ewma = estimates.EwmaVolatilityPerDay;
        return (feed, ewma) switch
        {
            ({ } f, { } e) when e > f => (e, $"the price EWMA {F(e)} exceeds the volatility feed's {F(f)}; the larger is used"),
            ({ } f, _) => (f, "volatility feed, annualised ÷ √365"),
            (null, { } e) => (e, "the price EWMA (the policy has no volatility feed)"),
            _ => (null, "no volatility: the policy has no volatility feed and the price EWMA needs 10 cycles with price changes"),
        };
    }

    // ---------------------------------------------------------------- stage 3: the policy's gate

    /// <summary>The vault's bounds that need the measure, a rebalance in flight, and a volatility to decide with.</summary>
    internal static HoldAction? PolicyGate(PoolInputs inputs, Measurement m, DecisionContext context)
    {
        var policy = inputs.Policy;
        var state = inputs.State;
        var view = m.View;
        if (!VaultPolicyMath.InventoryOk(m.ShareBps, policy.MinBaseShareBps, policy.MaxBaseShareBps, policy.AllowInventoryRecovery))
            return new(HoldReason.OutsidePolicy,
                $"base is {Bps(m.ShareBps)} of the pool's value, outside the vault's bounds [{Bps(policy.MinBaseShareBps)}, {Bps(policy.MaxBaseShareBps)}] and the policy does not allow recovery; the owner can allow it (setAllowInventoryRecovery), deposit or withdraw, or widen setInventoryBounds", view);
        if (state.LastRepositionTime != 0 && context.Timestamp < state.LastRepositionTime + policy.MinRebalanceIntervalSeconds)
            return new(HoldReason.TooSoon, $"last rebalance at {ChainTime(state.LastRepositionTime)}, the policy's minimum interval is {policy.MinRebalanceIntervalSeconds} s (next at {ChainTime(state.LastRepositionTime + policy.MinRebalanceIntervalSeconds)}, {state.LastRepositionTime + policy.MinRebalanceIntervalSeconds - context.Timestamp} s from the block's time)", view);
        if (VaultPolicyMath.TwapDeviationLog(inputs.TwapLogPrice, m.PriceX128) > policy.MaxTwapDeviationLog
            && !VaultPolicyMath.TwapCheckExempt(state.SqrtPriceX96, state.SqrtPriceLowX96, state.SqrtPriceHighX96, m.PriceX128))
            return new(HoldReason.TwapDeviates, $"the pool's {policy.TwapWindowSeconds} s TWAP is further from the oracle than the policy's {policy.MaxTwapDeviationBps} bps; wait for arbitrage, or check the oracle", view);
        if (context.InFlight) return new(HoldReason.InFlight, "an earlier rebalance of this pool is still in flight", view);
        if (m.Sigma is null) return new(HoldReason.NoVolatility, m.SigmaSource, view);
        return null;
    }

    // ---------------------------------------------------------------- stage 4: trigger

    /// <summary>What set the rebalance off, or the band's Hold (which the defence may still override). <see cref="Reasons"/> starts the plan's explanation.</summary>
    internal sealed record TriggerResult(RebalanceKind? Kind, RebalanceTrigger Cause, HoldAction? Hold, double Benefit, List<string> Reasons);

    /// <summary>
    /// Urgent past the hard limit; otherwise a rebalance when |q| leaves the band and the benefit — the inventory risk
    /// the rebalance removes over the horizon, (γσ²/2)·(q² − (|q| − Δq)²)·H with Δq the inventory it can move
    /// (<see cref="Movable"/>) — beats the gas by the margin (<see cref="GasRules.BenefitBeatsGas"/>), else a Hold naming
    /// which test failed.
    /// </summary>
    internal static TriggerResult Trigger(Measurement m, PoolTargets targets, StrategySettings strategy, DecisionContext context, double movable)
    {
        var sigma = m.Sigma!.Value;
        var sigmaAbs = sigma * m.OraclePrice;
        var q = Math.Abs(m.Inventory);
        var left = Math.Max(q - movable, 0);
        var benefit = strategy.RiskAversion * sigmaAbs * sigmaAbs / 2 * (q * q - left * left) * strategy.HorizonDays;
        List<string> reasons =
        [
            $"inventory off target {F(m.Inventory)} base ({Bps(m.ShareBps)} of value, target {Bps(targets.TargetBaseShareBps)}), band ±{F(m.Band)}{(m.Depth > 0 ? "" : m.Placed ? " (the pool's price is at its range edge: it quotes one side only)" : " (no liquidity is placed: the pool quotes nothing)")}",
            $"σ {F(sigma)} per √day ({m.SigmaSource})",
            $"band: moving the inventory is worth {F(benefit)} quote over the horizon against gas of {F(m.GasCost)} quote ({context.GasUnits} gas at {F((double)context.GasPriceWei / 1e9)} gwei, the decision's assumption){(left > 0 ? $"; a rebalance can move {F(q - left)} of the {F(q)} base (the arbitrage through the skew the vault allows)" : "")}",
        ];
        var offTarget = Math.Abs(m.ShareBps - targets.TargetBaseShareBps);
        if (offTarget >= targets.HardLimitBps)
        {
            reasons.Insert(0, $"URGENT: base share {Bps(m.ShareBps)} is {Bps(offTarget)} from target, past the hard limit {Bps(targets.HardLimitBps)}");
            return new(RebalanceKind.Urgent, RebalanceTrigger.HardLimit, null, benefit, reasons);
        }
        if (Math.Abs(m.Inventory) <= m.Band)
            return new(null, RebalanceTrigger.InventoryBand, new HoldAction(HoldReason.InsideBand, reasons[0], m.View), benefit, reasons);
        if (!GasRules.BenefitBeatsGas(benefit, m.GasCost, strategy.BenefitToGasMargin))
            return new(null, RebalanceTrigger.InventoryBand, new HoldAction(HoldReason.BenefitBelowGas, $"{reasons[2]}; needs {strategy.BenefitToGasMargin}× the gas", m.View), benefit, reasons);
        return new(RebalanceKind.Normal, RebalanceTrigger.InventoryBand, null, benefit, reasons);
    }

    /// <summary>
    /// Δq, the inventory (base) one rebalance can move toward the target (docs/models.md, "The band"): all of it for a v3
    /// position (<see cref="PoolInputs.RangeAtSpot"/>: its bounded swap) and for a pool at its range edge (the re-centre
    /// makes it quote both sides again); for a ManagedPool only what the arbitrage through the re-centred curve's skew
    /// moves, since a reposition moves no tokens: depth × ln(1 + s), s the skew the vault allows toward the target at this
    /// share as the Target uses it. A near-full range is shallow, so Δq is a sliver of q there and re-centring it buys
    /// nearly nothing (it used to re-centre a full range on inventory it could not move, skewing its bounds each time).
    /// </summary>
    internal static double Movable(PoolInputs inputs, Measurement m, StrategySettings strategy)
    {
        var q = Math.Abs(m.Inventory);
        if (inputs.RangeAtSpot || m.Depth == 0 || q == 0) return q;
        var side = m.Inventory > 0 ? -1 : 1; // surplus base: a centre below the oracle; short of base: above
        return Math.Min(q, m.Depth * Math.Log(1 + UsableSkew(side, m, inputs.Policy, strategy).Fraction));
    }

    /// <summary>The skew the vault allows on <paramref name="side"/> of the oracle at this share (bps; 0 on side 0), and the
    /// fraction of the price the centre uses of it: <see cref="SkewUseFraction"/> × <see cref="StrategySettings.InventorySkew"/>.</summary>
    private static (double AllowedBps, double Fraction) UsableSkew(int side, Measurement m, PoolPolicy policy, StrategySettings strategy)
    {
        var allowedBps = side == 0 ? 0 : (double)VaultPolicyMath.AllowedSkewBps(side, m.ShareBps, policy.MinBaseShareBps, policy.MaxBaseShareBps, policy.MaxSkewBps);
        return (allowedBps, allowedBps / 10_000.0 * SkewUseFraction * strategy.InventorySkew);
    }

    /// <summary>
    /// A Normal rebalance (trigger <see cref="RebalanceTrigger.Unplaced"/>) for a pool inside its band that holds value but no
    /// liquidity: a v3 position registered and funded but never minted, or one a withdrawal burned. Its holdings earn
    /// nothing and its band is zero, so no other trigger would ever place them (the keeper held such a position for
    /// good); placing them is what the pool is for, so no gain is weighed against the gas (it is paid once: the pool
    /// then quotes). Null otherwise.
    /// </summary>
    internal static TriggerResult? PlacementTrigger(PoolInputs inputs, Measurement m, TriggerResult band)
    {
        if (m.Placed || !(m.Value > 0)) return null;
        var reasons = new List<string>(band.Reasons);
        reasons.Insert(0, $"PLACE: the pool holds {F(m.Base)} base and {F(m.Quote)} quote but no liquidity quotes them{(inputs.RangeAtSpot ? " (the position was never minted, or a withdrawal burned it)" : "")}; the rebalance places them");
        return new(RebalanceKind.Normal, RebalanceTrigger.Unplaced, null, band.Benefit, reasons);
    }

    /// <summary>The trade-off's width (<see cref="RangeWidth.Choose"/>) and whether fee income has been seen.</summary>
    internal sealed record WidthDecision(WidthChoice Choice, double CurrentHalfWidth, bool FeesSeen, double PriceExposure);

    /// <summary>
    /// With <see cref="RangeWidthRule.FeeVersusLvr"/>: the half-width maximising fees − loss to arbitrage − rebalancing
    /// within the policy's width bounds, from the pool's observed fee income; before a quarter day of swaps no fee
    /// income is assumed, which is the gate's answer: the widest range the policy allows (nothing yet shows that fees
    /// pay for the loss of concentrating). Null with <see cref="RangeWidthRule.StdDevs"/> or an empty pool.
    /// </summary>
    internal static WidthDecision? ChooseWidth(PoolInputs inputs, PoolEstimates estimates, PoolTargets targets, StrategySettings strategy, Measurement m)
    {
        if (strategy.RangeWidth != RangeWidthRule.FeeVersusLvr || !(m.Value > 0)) return null;
        var state = inputs.State;
        var current = Math.Max(Math.Log((double)state.SqrtPriceHighX96 / (double)state.SqrtPriceLowX96), 1e-6); // ln √(H/L)
        var income = estimates.FeeIncomePerDay;
        var choice = RangeWidth.Choose(current, (income ?? 0) / m.Value, m.Sigma!.Value, m.GasCost / m.Value, strategy.FeeElasticity,
            HalfWidthOfBps(inputs.Policy.MinWidthBps), HalfWidthOfBps(inputs.Policy.MaxWidthBps), targets.PriceExposure);
        return new WidthDecision(choice, current, income is not null, targets.PriceExposure);
    }

    /// <summary>
    /// A Normal rebalance (trigger <see cref="RebalanceTrigger.RangeWidth"/>) for a pool inside its band whose range is
    /// off the trade-off's width, when re-ranging gains <see cref="WidthChoice.GainPerDay"/>·V·H of at least the margin times
    /// the gas and the new half-width differs from the current by more than <see cref="SameCurveWidthTolerance"/> of it:
    /// once fee income has been seen, or before it for a pool with price exposure (unhedged), whose gate's widest range
    /// saves the loss of a concentration nobody chose. Null otherwise (the band's hold stands).
    /// </summary>
    internal static TriggerResult? WidthTrigger(WidthDecision? width, StrategySettings strategy, Measurement m, TriggerResult band)
    {
        // before fee income is seen only a position with price exposure re-ranges (to the gate's widest): a hedged one
        // waits for the evidence that decides how far to concentrate
        if (width is null || (!width.FeesSeen && width.PriceExposure == 0)) return null;
        var (choice, current) = (width.Choice, width.CurrentHalfWidth);
        if (!(Math.Abs(choice.HalfWidth - current) > SameCurveWidthTolerance * choice.HalfWidth)) return null;
        var gain = choice.GainPerDay * m.Value * strategy.HorizonDays;
        if (!GasRules.BenefitBeatsGas(gain, m.GasCost, strategy.BenefitToGasMargin)) return null;
        var reasons = new List<string>(band.Reasons);
        reasons.Insert(0, $"RANGE: re-ranging from ±{F(current)} to ±{F(choice.HalfWidth)} (log half-width) gains {F(gain)} quote over the horizon, at least {strategy.BenefitToGasMargin}× the gas {F(m.GasCost)}");
        return new(RebalanceKind.Normal, RebalanceTrigger.RangeWidth, null, gain, reasons);
    }

    // ---------------------------------------------------------------- stage 5: target

    /// <summary>The model's curve clamped into the policy: centre, log half-width and fee.</summary>
    internal sealed record CurveQuote(double Centre, double HalfWidth, int FeePips, double ExpectedBenefit);

    /// <param name="width">The trade-off's width (<see cref="ChooseWidth"/>), null with the σ rule.</param>
    internal static (CurveQuote? Quote, HoldAction? Hold) Target(PoolInputs inputs, PoolEstimates estimates, StrategySettings strategy, Measurement m, TriggerResult trigger, WidthDecision? width)
    {
        var reasons = trigger.Reasons;
        var policy = inputs.Policy;
        var a = estimates.Intensity?.A ?? strategy.IntensityA;
        var k = estimates.Intensity?.K ?? strategy.IntensityK;
        reasons.Add(estimates.Intensity is null ? $"intensity A={F(a)}/day k={F(k)} (configured; the estimator needs more fills)" : $"intensity A={F(a)}/day k={F(k)} (fitted from {estimates.Intensity.Value.Fills} fills)");
        TargetCurve curve;
        try
        {
            curve = QuotesToCurve.Target(new CurveInputs(m.Base, m.Quote, m.OraclePrice, m.Sigma!.Value, a, k, strategy.RiskAversion, strategy.HorizonDays,
                LotSize: Math.Max(m.Value / m.OraclePrice * LotFractionOfValue, MinLot), TargetBaseShare: m.TargetShare, RangeStdDevs: strategy.RangeStdDevs,
                MinFeePips: policy.MinFeePips, MaxFeePips: policy.MaxFeePips));
        }
        catch (ArgumentOutOfRangeException e)
        {
            return (null, new HoldAction(HoldReason.NoFeasibleCurve, $"the models refused the inputs: {e.Message}", m.View));
        }
        // the vault's skew rule (docs/keeper-key-bound.md): a skew only toward the inventory target and at most
        // maxSkew·|share − target|/halfBand; the centre uses SkewUseFraction of what it allows on its side
        var side = Math.Sign(curve.CentrePrice - m.OraclePrice);
        var (allowedBps, maxSkew) = UsableSkew(side, m, policy, strategy);
        var centre = Math.Clamp(curve.CentrePrice, m.OraclePrice * (1 - maxSkew), m.OraclePrice * (1 + maxSkew));
        if (centre != curve.CentrePrice)
            reasons.Add($"centre clamped from {F(curve.CentrePrice)} to {F(centre)}: the vault allows {F(allowedBps)} bps of skew {(side < 0 ? "below" : "above")} the oracle at a base share of {Bps(m.ShareBps)} (limit {policy.MaxSkewBps} bps, toward the inventory only)");
        var halfWidth = Math.Log(curve.PriceHigh / curve.PriceLow) / 2;
        var fee = Math.Clamp(curve.FeePips, policy.MinFeePips, policy.MaxFeePips);
        if (width is not null)
        {
            reasons.Add(width.FeesSeen
                ? $"width: {width.Choice.Why}"
                : $"width: no fee income seen yet (the estimator needs a quarter day of swaps), so none is assumed: {width.Choice.Why}");
            halfWidth = width.Choice.HalfWidth;
        }
        if (strategy.FeeRule == FeeRule.Fixed)
        {
            fee = Math.Clamp(strategy.FixedFeePips, policy.MinFeePips, policy.MaxFeePips);
            reasons.Add(fee == strategy.FixedFeePips
                ? $"fee: the configured {fee} pips (FeeRule Fixed)"
                : $"fee: the configured {strategy.FixedFeePips} pips moved into the policy's bounds [{policy.MinFeePips}, {policy.MaxFeePips}]: {fee} (FeeRule Fixed)");
        }
        else if (strategy.FeeRule == FeeRule.FeeVersusLvr)
        {
            if (estimates.FeeIncomePerDay is double observed && observed > 0 && m.Value > 0 && inputs.State.FeePips > 0)
            {
                var current = inputs.State.FeePips;
                // y₀ at the pool's fee now: the income earned at earlier fees put at this one (docs/models.md, "The fee")
                var income = estimates.FeeIncomeByFeePips is { Count: > 0 } byFee ? FeeChoice.IncomeAtFee(byFee, current, k) : observed;
                if (estimates.FeeIncomeByFeePips is { Count: > 1 } paid)
                    reasons.Add($"fee income {F(income)} quote a day at the pool's {current} pips, from {F(observed)} earned at {paid.Count} fees ({string.Join(", ", paid.Keys.Order())} pips)");
                var concentration = RangeWidth.Concentration(halfWidth);
                var choice = FeeChoice.Choose(current, income / m.Value, k, m.Sigma!.Value, concentration,
                    strategy.ArbitrageIntervalSeconds, Math.Max(policy.MinFeePips, 1), policy.MaxFeePips);
                // a new fee is worth a reposition only when its gain over the horizon beats the gas by the margin
                var gain = (choice.NetYieldPerDay - choice.CurrentNetYieldPerDay) * m.Value * strategy.HorizonDays;
                if (current >= policy.MinFeePips && current <= policy.MaxFeePips && !GasRules.BenefitBeatsGas(gain, m.GasCost, strategy.BenefitToGasMargin))
                {
                    reasons.Add($"fee: kept at {current} pips: {choice.FeePips} pips would gain {F(gain)} quote over the horizon, under {strategy.BenefitToGasMargin}× the gas {F(m.GasCost)}");
                    fee = current;
                }
                else
                {
                    reasons.Add($"fee: {choice.Why}");
                    fee = choice.FeePips;
                }
            }
            else
            {
                reasons.Add("fee: the model's half-spread (the fee-income estimator needs a quarter day of swaps)");
            }
        }
        if (!VaultPolicyMath.InventoryOk(m.ShareBps, policy.MinBaseShareBps, policy.MaxBaseShareBps, allowInventoryRecovery: false))
            reasons.Insert(0, $"RECOVERY: base is {Bps(m.ShareBps)} of the pool's value, outside the vault's bounds [{Bps(policy.MinBaseShareBps)}, {Bps(policy.MaxBaseShareBps)}]; the policy allows re-centring with the skew toward the target only");
        return (new CurveQuote(centre, halfWidth, fee, trigger.Benefit), null);
    }

    // ---------------------------------------------------------------- stage 6: defence

    /// <summary>The defence's change of the quote and what the rebalance is then.</summary>
    internal sealed record DefenceOutcome(CurveQuote Quote, RebalanceKind Kind, RebalanceTrigger Trigger);

    /// <summary>
    /// Quote defensively while the signal is on (fee × FeeMultiplier and width × WidenFactor, within the policy; a pool
    /// already so quoted holds as Defensive unless urgent); once it is off, restore a pool still quoted that way
    /// (a Restore, or the urgent rebalance with the normal curve); otherwise neither (the band decides).
    /// </summary>
    internal static (DefenceOutcome? Outcome, HoldAction? Hold) Defence(PoolSnapshot state, PoolPolicy policy, DefenceSettings d, DefenceSignal signal, CurveQuote quote, TriggerResult trigger, Measurement m)
    {
        var reasons = trigger.Reasons;
        var urgent = trigger.Kind == RebalanceKind.Urgent;
        var currentFee = state.FeePips;
        var currentHalfWidth = Math.Log((double)state.SqrtPriceHighX96 / (double)state.SqrtPriceLowX96); // ln √(H/L) = ln(H/L)/2
        if (signal.Active)
        {
            var defensiveFee = (int)Math.Clamp(Math.Round(quote.FeePips * d.FeeMultiplier), policy.MinFeePips, policy.MaxFeePips);
            // widened within the policy: a normal range already at the widest allowed stays there
            var defensiveHalfWidth = Math.Min(quote.HalfWidth * d.WidenFactor, Math.Max(quote.HalfWidth, HalfWidthOfBps(policy.MaxWidthBps)));
            if (!urgent && currentFee >= defensiveFee * DefensiveFeeMatch && currentHalfWidth >= defensiveHalfWidth * DefensiveWidthMatch)
                return (null, new HoldAction(HoldReason.Defensive, $"quoted defensively since {signal.ActiveSince} (fee {currentFee} pips, half-width {F(currentHalfWidth)}): {signal.Why}", m.View));
            reasons.Insert(0, $"DEFENCE: {signal.Why}; fee {quote.FeePips} → {defensiveFee} pips, log half-width {F(quote.HalfWidth)} → {F(defensiveHalfWidth)} (within the policy)");
            var cause = signal.Trigger == DefenceTrigger.Regime ? RebalanceTrigger.VolatilityRegime : RebalanceTrigger.Vpin;
            return (new DefenceOutcome(quote with { FeePips = defensiveFee, HalfWidth = defensiveHalfWidth }, RebalanceKind.Defend, cause), null);
        }
        if (currentFee >= quote.FeePips * RestoreRatio || currentHalfWidth >= quote.HalfWidth * RestoreRatio)
        {
            reasons.Insert(0, $"RESTORE: {signal.Why}; the pool's fee {currentFee} pips / half-width {F(currentHalfWidth)} back to {quote.FeePips} pips / {F(quote.HalfWidth)}");
            return (urgent ? new DefenceOutcome(quote, RebalanceKind.Urgent, RebalanceTrigger.HardLimit) : new DefenceOutcome(quote, RebalanceKind.Restore, RebalanceTrigger.Calm), null);
        }
        return (null, null);
    }

    // ---------------------------------------------------------------- stage 7: fit within the policy

    internal static StrategyDecision FitWithinPolicy(PoolInputs inputs, Measurement m, CurveQuote quote, RebalanceKind kind, RebalanceTrigger trigger, DecisionContext context, IReadOnlyList<string> reasonsSoFar)
    {
        var policy = inputs.Policy;
        var state = inputs.State;
        var fee = Math.Clamp(quote.FeePips, policy.MinFeePips, policy.MaxFeePips);
        var halfWidth = quote.HalfWidth;
        var rawCentre = quote.Centre / m.RawToHuman;
        var sqrtCentre = Uint.SqrtPriceX96FromPrice(rawCentre);
        var curveState = state.ToCurveState();
        var reasons = reasonsSoFar.ToList();
        for (var attempt = 0; attempt < MaxFitAttempts; attempt++)
        {
            var (fit, failure) = inputs.RangeAtSpot ? ((FittedRange?)RangeFit.AtSpot(curveState, rawCentre, halfWidth), (string?)null) : RangeFit.Fit(curveState, sqrtCentre, rawCentre, halfWidth);
            if (fit is { } f)
            {
                var width = VaultPolicyMath.WidthBps(f.High, f.Low);
                if (width < policy.MinWidthBps) { halfWidth *= WidthStep; continue; }
                if (VaultPolicyMath.AboveMaxWidth(width, policy.MaxWidthBps)) { halfWidth /= WidthStep; continue; }
                var skew = VaultPolicyMath.SkewBps(sqrtCentre, m.PriceX128);
                var signedSkew = VaultPolicyMath.SignedSkewBps(sqrtCentre, m.PriceX128);
                if (skew > policy.MaxSkewBps || !VaultPolicyMath.SkewTowardInventoryOk(signedSkew, m.ShareBps, policy.MinBaseShareBps, policy.MaxBaseShareBps, policy.MaxSkewBps))
                    return new HoldAction(HoldReason.NoFeasibleCurve, $"the centre's skew {signedSkew} bps is outside what the vault allows at a base share of {Bps(m.ShareBps)} (limit {policy.MaxSkewBps} bps, toward the inventory only)", m.View);
                if (AlreadyAt(state, f, fee) is { } same)
                    return new HoldAction(HoldReason.AlreadyAtTarget, same, m.View);
                var low = Uint.PriceFromSqrtPriceX96(f.Low) * m.RawToHuman;
                var high = Uint.PriceFromSqrtPriceX96(f.High) * m.RawToHuman;
                // a full range's width in bps is a 15-digit number: say what it is instead
                var span = Math.Log(high / low) / 2 >= VaultPolicyMath.FullRangeHalfWidth * 0.99 ? "a full range: the price ×/÷ 100,000" : $"width {width} bps";
                reasons.Add($"target: centre {F(quote.Centre)}, range [{F(low)}, {F(high)}] ({span}), fee {fee} pips");
                return new RebalanceAction(kind, trigger, new CurveTarget(sqrtCentre, f.Bound, fee), f.Liquidity, f.Low, f.High,
                    quote.Centre, low, high, quote.ExpectedBenefit, m.GasCost, context.GasUnits, reasons, m.View);
            }
            if (attempt == MaxFitAttempts - 1 || failure is not null && halfWidth > MaxLogHalfWidth)
                return new HoldAction(HoldReason.NoFeasibleCurve, failure ?? "no fit", m.View);
            halfWidth *= WidthStep;
        }
        return new HoldAction(HoldReason.NoFeasibleCurve, $"no range within the policy's width bounds [{policy.MinWidthBps}, {policy.MaxWidthBps}] bps fits the reserves", m.View);
    }

    /// <summary>
    /// The pool's curve is already the target to within <see cref="SameCurveWidthTolerance"/> of the target's log width at
    /// both ends, at the same fee (±<see cref="SameCurveFeeTolerance"/>): a reposition would move no tokens and change next
    /// to nothing. Without this the keeper re-sent the same rebalance every interval while the inventory stayed outside
    /// the band (a reposition does not reset q; only flow does).
    /// </summary>
    internal static string? AlreadyAt(PoolSnapshot state, FittedRange target, int fee)
    {
        var width = 2 * Math.Log((double)target.High / (double)target.Low);
        var tolerance = width * SameCurveWidthTolerance;
        var low = Math.Abs(2 * Math.Log((double)target.Low / (double)state.SqrtPriceLowX96));
        var high = Math.Abs(2 * Math.Log((double)target.High / (double)state.SqrtPriceHighX96));
        if (low > tolerance || high > tolerance || Math.Abs(fee - (double)state.FeePips) > SameCurveFeeTolerance * fee) return null;
        return $"the pool's curve is already the target (ends within {F(Math.Max(low, high))} of {F(tolerance)} in log price, fee {state.FeePips} pips); only flow moves the inventory";
    }

    /// <summary>The widest log half-width <paramref name="policy"/> allows (<see cref="HalfWidthOfBps"/> of its maximum width).</summary>
    public static double WidestHalfWidth(PoolPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return HalfWidthOfBps(policy.MaxWidthBps);
    }

    /// <summary>The log half-width h of a range whose vault width is <paramref name="bps"/>: (e^(2h) − 1)·1e4 = bps; a full
    /// range (<see cref="VaultPolicyMath.FullRangeHalfWidth"/>) for the vault's unbounded width.</summary>
    internal static double HalfWidthOfBps(long bps) =>
        bps == VaultPolicyMath.UnboundedWidthBps ? VaultPolicyMath.FullRangeHalfWidth : Math.Log(1 + Math.Max(bps, 1) / 10_000.0) / 2;

    /// <summary>A chain timestamp (Unix seconds) as UTC, "2026-12-04 15:20:11 UTC".</summary>
    private static string ChainTime(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static double Human(BigInteger amount, int decimals) => (double)amount / Math.Pow(10, decimals);
    private static string Bps(int bps) => (bps / 100.0).ToString("0.##", CultureInfo.InvariantCulture) + "%";
    private static string F(double v) => Models.Formatting.Numbers.Fixed(v);
}
