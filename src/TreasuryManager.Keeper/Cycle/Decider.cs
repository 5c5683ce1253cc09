using System.Globalization;
using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Models.Curve;
using TreasuryManager.Models.Policy;
using TreasuryManager.Models.Risk;

namespace TreasuryManager.Keeper.Cycle;

/// <summary>The numbers of the cycle a decision needs besides the pool: the block time and the price of gas.</summary>
/// <param name="Timestamp">The latest block's time (unix seconds).</param>
/// <param name="GasPriceWei">What one unit of gas will cost: the next base fee plus the tip, within the cap.</param>
/// <param name="GasUnits">Gas of one rebalance (assumed before the Guard estimates it).</param>
/// <param name="InFlight">Whether an earlier rebalance of this pool is still in flight.</param>
public sealed record DecisionContext(long Block, long Timestamp, BigInteger GasPriceWei, long GasUnits, bool InFlight);

/// <summary>
/// The Decide step, pure: from one pool's observation and estimates to a <see cref="Plan"/> or a <see cref="Hold"/>.
/// <list type="number">
/// <item>The vault's preconditions with its own numbers (paused, feeds fresh and positive, inventory within its
/// bounds, interval, TWAP deviation): a rebalance the vault would refuse is a Hold naming the check.</item>
/// <item>Inventory q = x − w·(x·s + y)/s in base; the band q̄ = (12·c·η²/(γσ²))^(1/4) (MODELS.md) with c = gas × gas
/// price × ETH price, σ = σ_log·s and η = depth·σ_log, depth = L/(2√P) the base the curve trades per unit of log
/// price (zero at a range edge: the curve then quotes one side only and the band is zero).</item>
/// <item>Rebalance when |q| &gt; q̄ and the expected benefit — the inventory risk avoided over the horizon,
/// (γσ²/2)·q²·H — is at least the margin times c; an inventory past the hard limit (|share − target| ≥ limit) is
/// urgent and skips the benefit test.</item>
/// <item>The toxic-flow defence when enabled (<see cref="ToxicFlowMonitor"/>): while its signal is on, the target's fee is
/// raised and its range widened within the policy (skipping the band: it changes the quote, not the inventory); once off,
/// a pool still quoted that way is restored.</item>
/// <item>A target the pool's curve already matches is a Hold (AlreadyAtTarget), not a second identical rebalance.</item>
/// <item>The target: GLFT quotes → centre, fee and range (QuotesToCurve), clamped into the policy (fee bounds, skew
/// within 90% of the limit), fitted exactly as the pool will fit it (PoolSwap.PreviewReposition), width checked.</item>
/// </list>
/// </summary>
public static class Decider
{
    private const double DaysPerYear = 365;

    public static Decision Decide(PoolObservation o, PoolEstimates estimates, PoolSettings pool, StrategySettings strategy, GasSettings gas, DecisionContext context)
    {
        var id = o.Identity;
        Hold HoldFor(HoldReason reason, string detail, InventoryView? view = null) => new(id.Pool, id.Label, context.Block, reason, detail, view);

        if (o.Error is not null || o.State is null || o.Policy is null || o.Price is null || o.TwapLogPrice is null)
            return HoldFor(o.Error is null ? HoldReason.ObserveFailed : o.ErrorReason, o.Error ?? "incomplete observation");
        var state = o.State;
        var policy = o.Policy.Params;
        var now = context.Timestamp;
        if (state.Paused) return HoldFor(HoldReason.PoolPaused, "the pool is paused (the guardian or owner paused the vault); the owner must unpause");

        var heartbeat = (long)policy.Heartbeat;
        var priceAge = now - o.Price.UpdatedAt;
        if (now > o.Price.UpdatedAt + heartbeat)
            return HoldFor(HoldReason.StaleOracle, $"the price feed {o.Price.Feed} was last updated {priceAge} s ago, past the heartbeat of {heartbeat} s; the reporter must post a fresh price");
        var priceX128 = VaultPolicyMath.PriceX128(o.Price.Answer, (int)o.Policy.PriceScaleExp);
        if (priceX128 is null)
            return HoldFor(HoldReason.BadOracleAnswer, $"the price feed's answer {o.Price.Answer} is not a usable price (it must be positive and in range)");
        if (policy.VolatilityFeed != default)
        {
            if (o.Volatility is null) return HoldFor(HoldReason.ObserveFailed, $"the volatility feed {policy.VolatilityFeed} could not be read");
            if (now > o.Volatility.UpdatedAt + heartbeat)
                return HoldFor(HoldReason.StaleOracle, $"the volatility feed {o.Volatility.Feed} was last updated {now - o.Volatility.UpdatedAt} s ago, past the heartbeat of {heartbeat} s; the reporter must post");
            if (o.Volatility.Answer.Sign <= 0) return HoldFor(HoldReason.BadOracleAnswer, $"the volatility feed's answer {o.Volatility.Answer} is not positive");
        }

        // --- figures in human units
        var x = Human(state.Reserve0, id.BaseDecimals);
        var y = Human(state.Reserve1, id.QuoteDecimals);
        var s = o.Price.Value; // human quote per base (the feed's convention)
        var rawToHuman = Math.Pow(10, id.BaseDecimals - id.QuoteDecimals);
        var poolPrice = Uint.PriceFromSqrtPriceX96(state.SqrtPriceX96) * rawToHuman;
        var share = (int)VaultPolicyMath.BaseShareBps(state.Reserve0, state.Reserve1, priceX128.Value);

        var (sigma, source) = Volatility(o, estimates);
        var w = pool.TargetBaseShareBps / 10_000.0;
        var value = x * s + y;
        var q = x - w * value / s;
        var inRange = state.SqrtPriceX96 > state.SqrtPriceLowX96 && state.SqrtPriceX96 < state.SqrtPriceHighX96;
        var depth = inRange ? (double)state.Liquidity / (2 * Math.Sqrt(Uint.PriceFromSqrtPriceX96(state.SqrtPriceX96))) / Math.Pow(10, id.BaseDecimals) : 0.0;
        var gasCost = Band.GasCost(context.GasUnits, (double)context.GasPriceWei, (double)gas.EthPriceInQuote);
        double band = 0;
        if (sigma is { } sig && depth > 0)
            band = Band.Width(gasCost, depth * sig, strategy.RiskAversion, sig * s);
        var view = new InventoryView(x, y, s, poolPrice, share, q, band, sigma ?? double.NaN, source, priceAge);

        if (share < (int)policy.MinBaseShareBps || share > (int)policy.MaxBaseShareBps)
            return HoldFor(HoldReason.OutsidePolicy,
                $"base is {Bps(share)} of the pool's value, outside the vault's bounds [{Bps((int)policy.MinBaseShareBps)}, {Bps((int)policy.MaxBaseShareBps)}]; a rebalance moves no tokens, so the owner must deposit or withdraw (or widen setInventoryBounds)", view);
        if (state.LastRepositionTime != 0 && now < (long)state.LastRepositionTime + (long)policy.MinRebalanceInterval)
            return HoldFor(HoldReason.TooSoon, $"last rebalance at {state.LastRepositionTime}, the policy's minimum interval is {policy.MinRebalanceInterval} s (next at {(long)state.LastRepositionTime + (long)policy.MinRebalanceInterval})", view);
        var deviation = VaultPolicyMath.TwapDeviationLog(o.TwapLogPrice.Value, priceX128.Value);
        if (deviation > o.Policy.MaxTwapDeviationLog)
            return HoldFor(HoldReason.TwapDeviates, $"the pool's {policy.TwapWindow} s TWAP is further from the oracle than the policy's {policy.MaxTwapDeviationBps} bps; wait for arbitrage, or check the oracle", view);
        if (context.InFlight) return HoldFor(HoldReason.InFlight, "an earlier rebalance of this pool is still in flight", view);
        if (sigma is null) return HoldFor(HoldReason.NoVolatility, source, view);

        var urgent = Math.Abs(share - pool.TargetBaseShareBps) >= pool.HardLimitBps;
        var sigmaAbs = sigma.Value * s;
        var benefit = strategy.RiskAversion * sigmaAbs * sigmaAbs / 2 * q * q * strategy.HorizonDays;
        var reasons = new List<string>
        {
            $"inventory {F(q)} base ({Bps(share)} of value, target {Bps(pool.TargetBaseShareBps)}), band ±{F(band)}{(depth == 0 ? " (the pool's price is at its range edge: it quotes one side only)" : "")}",
            $"σ {F(sigma.Value)} per √day ({source})",
            $"expected benefit {F(benefit)} vs gas {F(gasCost)} quote ({context.GasUnits} gas at {F((double)context.GasPriceWei / 1e9)} gwei)",
        };
        Hold? BandHold()
        {
            if (Math.Abs(q) <= band) return HoldFor(HoldReason.InsideBand, reasons[0], view);
            if (benefit < strategy.BenefitToGasMargin * gasCost)
                return HoldFor(HoldReason.BenefitBelowGas, $"{reasons[2]}; needs {strategy.BenefitToGasMargin}× the gas", view);
            return null;
        }
        var defence = strategy.Defence.Enabled ? estimates.Defence : null;
        if (urgent)
            reasons.Insert(0, $"URGENT: base share {Bps(share)} is {Bps(Math.Abs(share - pool.TargetBaseShareBps))} from target, past the hard limit {Bps(pool.HardLimitBps)}");
        else if (defence is null && BandHold() is { } bandHold)
            return bandHold;

        // --- the target curve
        var a = estimates.Intensity?.A ?? strategy.IntensityA;
        var k = estimates.Intensity?.K ?? strategy.IntensityK;
        reasons.Add(estimates.Intensity is null ? $"intensity A={F(a)}/day k={F(k)} (configured; the estimator needs more fills)" : $"intensity A={F(a)}/day k={F(k)} (fitted from {estimates.Intensity.Value.Fills} fills)");
        TargetCurve curve;
        try
        {
            curve = QuotesToCurve.Target(new CurveInputs(x, y, s, sigma.Value, a, k, strategy.RiskAversion, strategy.HorizonDays,
                LotSize: Math.Max(value / s * 0.01, 1e-12), TargetBaseShare: w, RangeStdDevs: strategy.RangeStdDevs,
                MinFeePips: (int)policy.MinFeePips, MaxFeePips: (int)policy.MaxFeePips));
        }
        catch (ArgumentOutOfRangeException e)
        {
            return HoldFor(HoldReason.NoFeasibleCurve, $"the models refused the inputs: {e.Message}", view);
        }

        // centre within 90% of the skew limit (the vault checks the sqrt price against the oracle)
        var maxSkew = (double)policy.MaxSkewBps / 10_000 * 0.9;
        var centre = Math.Clamp(curve.CentrePrice, s * (1 - maxSkew), s * (1 + maxSkew));
        if (centre != curve.CentrePrice) reasons.Add($"centre clamped from {F(curve.CentrePrice)} to {F(centre)} by the skew limit {policy.MaxSkewBps} bps");
        var halfWidth = Math.Log(curve.PriceHigh / curve.PriceLow) / 2;
        var fee = Math.Clamp(curve.FeePips, (int)policy.MinFeePips, (int)policy.MaxFeePips);

        // --- the toxic-flow defence (DefenceSettings; ToxicFlowMonitor): quote defensively while the signal is on,
        // restore the normal curve once it is off; both skip the band test (they change the quote, not the inventory).
        if (defence is not null)
        {
            var d = strategy.Defence;
            var currentFee = (int)state.FeePips;
            var currentHalfWidth = Math.Log((double)state.SqrtPriceHighX96 / (double)state.SqrtPriceLowX96); // ln √(H/L) = ln(H/L)/2
            var defensiveFee = (int)Math.Clamp(Math.Round(fee * d.FeeMultiplier), (double)policy.MinFeePips, (double)policy.MaxFeePips);
            var defensiveHalfWidth = halfWidth * d.WidenFactor;
            if (defence.Active)
            {
                if (!urgent && currentFee >= defensiveFee * 0.95 && currentHalfWidth >= defensiveHalfWidth * 0.8)
                    return HoldFor(HoldReason.Defensive, $"quoted defensively since {defence.ActiveSince} (fee {currentFee} pips, half-width {F(currentHalfWidth)}): {defence.Why}", view);
                reasons.Insert(0, $"DEFENCE: {defence.Why}; fee {fee} → {defensiveFee} pips, log half-width {F(halfWidth)} → {F(defensiveHalfWidth)} (within the policy)");
                fee = defensiveFee;
                halfWidth = defensiveHalfWidth;
                urgent = true; // not held by the gas ceiling: the move is coming
            }
            else if (currentFee >= fee * 1.5 || currentHalfWidth >= halfWidth * 1.5)
            {
                reasons.Insert(0, $"RESTORE: {defence.Why}; the pool's fee {currentFee} pips / half-width {F(currentHalfWidth)} back to {fee} pips / {F(halfWidth)}");
            }
            else if (!urgent && BandHold() is { } bandHold)
            {
                return bandHold;
            }
        }

        var sqrtCentre = Uint.SqrtPriceX96FromPrice(centre / rawToHuman);
        var modelState = new PoolState(state.SqrtPriceX96, state.SqrtPriceLowX96, state.SqrtPriceHighX96, state.Reserve0, state.Reserve1, (int)state.FeePips, state.Liquidity);
        for (var attempt = 0; attempt < 12; attempt++)
        {
            var (fit, detail) = Fit(modelState, sqrtCentre, centre / rawToHuman, halfWidth, state.Reserve0, state.Reserve1);
            if (fit is { } f)
            {
                var width = VaultPolicyMath.WidthBps(f.High, f.Low);
                if (width < policy.MinWidthBps) { halfWidth *= 1.5; continue; }
                if (width > policy.MaxWidthBps) { halfWidth /= 1.5; continue; }
                var skew = VaultPolicyMath.SkewBps(sqrtCentre, priceX128.Value);
                if (skew > policy.MaxSkewBps)
                    return HoldFor(HoldReason.NoFeasibleCurve, $"the centre's skew {skew} bps exceeds the policy's {policy.MaxSkewBps} bps", view);
                if (AlreadyAt(state, f, fee) is { } same)
                    return HoldFor(HoldReason.AlreadyAtTarget, same, view);
                reasons.Add($"target: centre {F(centre)}, range [{F(Uint.PriceFromSqrtPriceX96(f.Low) * rawToHuman)}, {F(Uint.PriceFromSqrtPriceX96(f.High) * rawToHuman)}] (width {width} bps), fee {fee} pips");
                return new Plan(id.Pool, id.Label, context.Block,
                    new TreasuryVault.Target(sqrtCentre, f.Bound, fee, 65535),
                    f.Liquidity, f.Low, f.High,
                    centre, Uint.PriceFromSqrtPriceX96(f.Low) * rawToHuman, Uint.PriceFromSqrtPriceX96(f.High) * rawToHuman,
                    benefit, gasCost, context.GasUnits, urgent, reasons, view);
            }
            if (attempt == 11 || detail is not null && halfWidth > 20) return HoldFor(HoldReason.NoFeasibleCurve, detail ?? "no fit", view);
            halfWidth *= 1.5;
        }
        return HoldFor(HoldReason.NoFeasibleCurve, $"no range within the policy's width bounds [{policy.MinWidthBps}, {policy.MaxWidthBps}] bps fits the reserves", view);
    }

    /// <summary>
    /// The pool's curve is already the target to within a tenth of the target's log width at both ends, at the same fee
    /// (±5%): a reposition would move no tokens and change next to nothing, so it is not worth its gas. Without this the
    /// keeper re-sent the same rebalance every interval while the inventory stayed outside the band (a reposition does
    /// not reset q; only flow does).
    /// </summary>
    private static string? AlreadyAt(ManagedPool.PoolState state, CurveFit target, int fee)
    {
        var width = 2 * Math.Log((double)target.High / (double)target.Low);
        var tolerance = width / 10;
        var low = Math.Abs(2 * Math.Log((double)target.Low / (double)state.SqrtPriceLowX96));
        var high = Math.Abs(2 * Math.Log((double)target.High / (double)state.SqrtPriceHighX96));
        if (low > tolerance || high > tolerance || Math.Abs(fee - (double)state.FeePips) > 0.05 * fee) return null;
        return $"the pool's curve is already the target (ends within {F(Math.Max(low, high))} of {F(tolerance)} in log price, fee {state.FeePips} pips); only flow moves the inventory";
    }

    private readonly record struct CurveFit(BigInteger Bound, BigInteger Liquidity, BigInteger Low, BigInteger High);

    /// <summary>
    /// The pool's exact fit for a centre and a log half-width: fix the bound whose side gives the larger liquidity
    /// (as QuotesToCurve does), and let the pool's fit derive the other.
    /// </summary>
    private static (CurveFit? Fit, string? Detail) Fit(PoolState state, BigInteger sqrtCentre, double rawCentre, double halfWidth, BigInteger r0, BigInteger r1)
    {
        var lowBound = Uint.SqrtPriceX96FromPrice(rawCentre * Math.Exp(-halfWidth));
        var highBound = Uint.SqrtPriceX96FromPrice(rawCentre * Math.Exp(halfWidth));
        string? detail = null;
        foreach (var bound in PreferredBounds(sqrtCentre, lowBound, highBound, r0, r1))
        {
            try
            {
                var (l, lo, hi) = PoolSwap.PreviewReposition(state, sqrtCentre, bound);
                if (l.IsZero) continue;
                return (new CurveFit(bound, l, lo, hi), null);
            }
            catch (CurveMathException e)
            {
                detail = $"the pool cannot fit a range of half-width {halfWidth:0.####} around the centre: {e.Reason}";
            }
        }
        return (null, detail);
    }

    private static IEnumerable<BigInteger> PreferredBounds(BigInteger p, BigInteger lowBound, BigInteger highBound, BigInteger r0, BigInteger r1)
    {
        // L from the lower bound = y·2^96/(P − A); from the upper = x·P·B/((B − P)·2^96): prefer the larger.
        var q96 = BigInteger.One << 96;
        var lLow = p > lowBound ? r1 * q96 / (p - lowBound) : BigInteger.Zero;
        var lHigh = highBound > p ? r0 * p * highBound / ((highBound - p) * q96) : BigInteger.Zero;
        return lLow >= lHigh ? [lowBound, highBound] : [highBound, lowBound];
    }

    private static (double? Sigma, string Source) Volatility(PoolObservation o, PoolEstimates estimates)
    {
        double? feed = o.Volatility is { Answer.Sign: > 0 } v ? v.Value / Math.Sqrt(DaysPerYear) : null;
        var ewma = estimates.EwmaVolatilityPerDay;
        return (feed, ewma) switch
        {
            ({ } f, { } e) when e > f => (e, $"the pool's EWMA {F(e)} exceeds the volatility feed's {F(f)}; the larger is used"),
            ({ } f, _) => (f, "volatility feed, annualised ÷ √365"),
            (null, { } e) => (e, "the pool's EWMA (the policy has no volatility feed)"),
            _ => (null, "no volatility: the policy has no volatility feed and the pool's EWMA needs 10 cycles with price changes"),
        };
    }

    private static double Human(BigInteger amount, int decimals) => (double)amount / Math.Pow(10, decimals);
    private static string Bps(int bps) => (bps / 100.0).ToString("0.##", CultureInfo.InvariantCulture) + "%";
    private static string F(double v) => v.ToString("G5", CultureInfo.InvariantCulture);
}
