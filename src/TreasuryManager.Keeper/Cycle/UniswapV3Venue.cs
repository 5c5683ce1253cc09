using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.UniswapV3;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Models.Curve;
using TreasuryManager.Models.Policy;
using TreasuryManager.Strategy.Decisions;
using TreasuryManager.Strategy.Inputs;
using V3TickMath = TreasuryManager.Models.UniswapV3.TickMath;

namespace TreasuryManager.Keeper.Cycle;

/// <summary>The configured pools that are Uniswap v3 pools, and the UniswapV3PositionManager holding the vault's positions in them.</summary>
public sealed record UniswapV3Pools(Address Manager, IReadOnlySet<Address> Pools);

/// <summary>What never changes for a Uniswap v3 pool (read once at start): the manager holding the vault's position, the
/// pool's fee tier and tick spacing.</summary>
public sealed record UniswapV3PoolIdentity(Address Manager, int FeePips, int TickSpacing);

/// <summary>
/// One cycle's reads of a Uniswap v3 pool and the vault's position in it (same batch as every other pool): the pool's
/// slot0 and active liquidity, the manager's position/holdings and policy, the vault's pause, and the pool's mean tick over
/// the policy's TWAP window (null when observe failed: the observation's Error says why).
/// </summary>
public sealed record UniswapV3Reading(
    IUniswapV3PoolMinimal.Slot0Result Slot0,
    BigInteger PoolLiquidity,
    UniswapV3PositionManager.PositionView Position,
    UniswapV3PositionManager.UniswapV3Policy Policy,
    bool VaultPaused,
    int? TwapTick);

/// <summary>A v3 range: two ticks, lower &lt; upper.</summary>
public readonly record struct TickRange(int Lower, int Upper)
{
    /// <summary>The range's sqrt prices (Uniswap's TickMath).</summary>
    public BigInteger SqrtLowerX96 => V3TickMath.GetSqrtRatioAtTick(Lower);
    public BigInteger SqrtUpperX96 => V3TickMath.GetSqrtRatioAtTick(Upper);

    /// <summary>The range's geometric middle as the manager computes it: ⌊√(√lower·√upper)⌋ (Q64.96).</summary>
    public BigInteger CentreSqrtX96 => Uint.Sqrt(SqrtLowerX96 * SqrtUpperX96);

    public override string ToString() => $"[{Lower}, {Upper}]";
}

/// <summary>
/// The Uniswap v3 venue, pure: a v3 pool's reads as the Strategy core's records (the same <see cref="PoolSnapshot"/> and
/// <see cref="PoolPolicy"/> a ManagedPool gives), the Decider's rebalance as the manager's <c>RangeTarget</c>
/// (<see cref="Plan"/>: ticks rounded outward to the pool's spacing, <see cref="RoundOutward"/>, and a bounded swap), and
/// the pool's Swap events as the treasury's part of them (<see cref="TreasuryPart"/>).
/// </summary>
public static class UniswapV3Venue
{

    /// <summary>Extra tick spacings tried on each side (<see cref="Choose"/>) to bring the centre within what the policy
    /// allows: two move it by up to one spacing either way, in half-spacing steps.</summary>
    public const int MaxExtraSpacings = 2;

    /// <summary>The largest part of the gap to the target share one swap closes. The manager refuses a swap that ends past
    /// the target (SwapPastTarget), and the share it ends at is not exactly what the keeper computes (the pool's price impact,
    /// its fee, the spot off the oracle within maxTwapDeviationBps); smaller fractions are tried down to
    /// <see cref="MinSwapFraction"/> when the skew the share then allows admits no range.</summary>
    public const double MaxSwapFraction = 0.9;

    /// <inheritdoc cref="MaxSwapFraction"/>
    public const double MinSwapFraction = 0.5;

    /// <summary>Step between the fractions tried.</summary>
    public const double SwapFractionStep = 0.1;

    /// <summary>Uniswap v3's pool event <c>Swap(address indexed sender, address indexed recipient, int256 amount0, int256
    /// amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick)</c> (v3-core's IUniswapV3PoolEvents), decoded by our ABI layer.</summary>
    public static readonly AbiEvent SwapEvent = ContractAbi.Parse("""
        [{"anonymous":false,"type":"event","name":"Swap","inputs":[
          {"indexed":true,"name":"sender","type":"address"},{"indexed":true,"name":"recipient","type":"address"},
          {"indexed":false,"name":"amount0","type":"int256"},{"indexed":false,"name":"amount1","type":"int256"},
          {"indexed":false,"name":"sqrtPriceX96","type":"uint160"},{"indexed":false,"name":"liquidity","type":"uint128"},
          {"indexed":false,"name":"tick","type":"int24"}]}]
        """).GetEvent("Swap");

    /// <summary>A v3 Swap log: the pool received the positive amount (the trader's input) and paid the negative one;
    /// zeroForOne when token0 went in; the pool's active liquidity and tick after it.</summary>
    public sealed record PoolSwap(SwapSeen Swap, BigInteger Liquidity, int Tick);

    /// <summary>Decodes a v3 Swap log (<see cref="PoolSwap"/>).</summary>
    public static PoolSwap DecodeSwap(long blockNumber, IReadOnlyList<byte[]> topics, byte[] data)
    {
        var d = SwapEvent.DecodeLog(topics, data);
        var amount0 = (BigInteger)d.Arguments[2]!;
        var amount1 = (BigInteger)d.Arguments[3]!;
        var zeroForOne = amount0.Sign > 0;
        return new PoolSwap(new SwapSeen(blockNumber, zeroForOne, zeroForOne ? amount0 : amount1, BigInteger.Abs(zeroForOne ? amount1 : amount0), (BigInteger)d.Arguments[4]!),
            (BigInteger)d.Arguments[5]!, (int)(BigInteger)d.Arguments[6]!);
    }

    /// <summary>
    /// The treasury's part of a shared pool's swaps, as the estimators read a ManagedPool's (where every swap is the
    /// treasury's): each swap that ended inside the position's range scaled by the position's share of the pool's active
    /// liquidity after it (its fee, flow and size pro rata); a swap that ended outside it, or with the position empty, is
    /// not the treasury's and is left out. The position is the one read this cycle.
    /// </summary>
    public static IReadOnlyList<SwapSeen> TreasuryPart(IReadOnlyList<PoolSwap> swaps, UniswapV3PositionManager.PositionView position)
    {
        ArgumentNullException.ThrowIfNull(swaps);
        ArgumentNullException.ThrowIfNull(position);
        var ours = position.Liquidity;
        var part = new List<SwapSeen>();
        foreach (var (swap, liquidity, tick) in swaps)
        {
            if (ours.IsZero || liquidity.IsZero || tick < position.TickLower || tick >= position.TickUpper) continue;
            var share = BigInteger.Min(ours, liquidity);
            part.Add(swap with { AmountIn = swap.AmountIn * share / liquidity, AmountOut = swap.AmountOut * share / liquidity });
        }
        return part;
    }

    /// <summary>observe([window, 0])'s mean tick, as the manager computes it: (cum[1] − cum[0]) / window, rounded toward −∞.</summary>
    public static int MeanTick(IReadOnlyList<BigInteger> tickCumulatives, long window)
    {
        ArgumentNullException.ThrowIfNull(tickCumulatives);
        if (tickCumulatives.Count != 2 || window <= 0) throw new ArgumentException($"observe([{window}, 0]) must give two cumulatives over a positive window");
        var delta = tickCumulatives[1] - tickCumulatives[0];
        var tick = BigInteger.DivRem(delta, window, out var rest);
        if (delta.Sign < 0 && !rest.IsZero) tick--;
        return (int)tick;
    }

    /// <summary>A tick's price in the vault's log-price units (what the Decider compares with the oracle): the coarse log
    /// of ⌊√P(tick)² / 2^64⌋ (Q128.128), the same units a ManagedPool's consult gives.</summary>
    public static BigInteger LogPriceOfTick(int tick)
    {
        var sqrt = V3TickMath.GetSqrtRatioAtTick(tick);
        return Models.Curve.LogMath.CoarseLogPriceFromPriceX128(sqrt * sqrt >> 64);
    }

    /// <summary>
    /// The vault's v3 position as the Strategy core reads a pool: the pool's spot, the position's range (the spot on both
    /// ends while there is no position), the position's amounts at the spot (rounded down, what a burn returns; fees not
    /// yet collected are left out) plus the idle holdings as the treasury's reserves, the position's liquidity, the pool's
    /// fee tier, the vault's pause and the last rebalance's time.
    /// </summary>
    public static PoolSnapshot Snapshot(UniswapV3PoolIdentity pool, UniswapV3Reading r)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(r);
        var spot = r.Slot0.SqrtPriceX96;
        var position = r.Position;
        var hasRange = position.TickLower != position.TickUpper;
        var low = hasRange ? V3TickMath.GetSqrtRatioAtTick((int)position.TickLower) : spot;
        var high = hasRange ? V3TickMath.GetSqrtRatioAtTick((int)position.TickUpper) : spot;
        var (amount0, amount1) = hasRange && !position.Liquidity.IsZero ? LiquidityAmounts.GetAmountsForLiquidity(spot, low, high, position.Liquidity, roundUp: false) : (BigInteger.Zero, BigInteger.Zero);
        return new PoolSnapshot(spot, low, high, position.Liquidity, pool.FeePips, amount0 + position.Idle0, amount1 + position.Idle1,
            r.VaultPaused, (long)position.LastRebalanceTime);
    }

    /// <summary>
    /// The manager's policy as the Strategy core reads a policy. The fee bounds are the pool's tier (the fee is not a
    /// choice on v3, so the Decider never plans a fee change); the TWAP bound as the vault's log distance
    /// (<see cref="VaultPolicyMath.MaxTwapDeviationLog"/>; the manager bounds the mean tick's price in bps, within a tick's
    /// 1 bp of it); the price scale as the manager's: dec(token1) − dec(token0) − dec(feed).
    /// </summary>
    public static PoolPolicy Policy(UniswapV3PoolIdentity pool, UniswapV3PositionManager.UniswapV3Policy policy, PoolIdentity identity, int priceFeedDecimals)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(identity);
        var p = policy.Params;
        return new PoolPolicy((long)p.Heartbeat, p.VolatilityFeed != Address.Zero, (long)p.TwapWindow, (int)p.MaxTwapDeviationBps,
            VaultPolicyMath.MaxTwapDeviationLog((int)p.MaxTwapDeviationBps), (int)p.MaxSkewBps, pool.FeePips, pool.FeePips,
            (int)p.MinWidthBps, (long)p.MaxWidthBps, (long)p.MinRebalanceInterval, (int)p.MinBaseShareBps, (int)p.MaxBaseShareBps,
            PriceScaleExp(identity, priceFeedDecimals), policy.AllowInventoryRecovery);
    }

    /// <summary>The manager's price scale (its _setPolicy): dec(token1) − dec(token0) − dec(feed), turning the feed's answer
    /// into the pool's raw price (the vault stores its own in its policy view).</summary>
    public static int PriceScaleExp(PoolIdentity identity, int priceFeedDecimals)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return identity.QuoteDecimals - identity.BaseDecimals - priceFeedDecimals;
    }

    /// <summary>
    /// The narrowest range of multiples of <paramref name="spacing"/> that contains [<paramref name="sqrtLowX96"/>,
    /// <paramref name="sqrtHighX96"/>] (the Decider's range, rounded outward so its width stays at least the policy's
    /// minimum), within Uniswap's usable ticks (a target beyond them is clipped to them). Never empty: a target inside one
    /// spacing still spans one.
    /// </summary>
    public static TickRange RoundOutward(BigInteger sqrtLowX96, BigInteger sqrtHighX96, int spacing)
    {
        var (min, max) = V3TickMath.UsableTicks(spacing);
        if (sqrtLowX96 > sqrtHighX96) (sqrtLowX96, sqrtHighX96) = (sqrtHighX96, sqrtLowX96);
        var lowTick = sqrtLowX96 < V3TickMath.MinSqrtRatio ? V3TickMath.MinTick : sqrtLowX96 >= V3TickMath.MaxSqrtRatio ? V3TickMath.MaxTick : V3TickMath.GetTickAtSqrtRatio(sqrtLowX96);
        var highTick = sqrtHighX96 < V3TickMath.MinSqrtRatio ? V3TickMath.MinTick : sqrtHighX96 >= V3TickMath.MaxSqrtRatio ? V3TickMath.MaxTick : V3TickMath.GetTickAtSqrtRatio(sqrtHighX96);
        // the greatest tick at or below the high end: one more unless it is exactly on it
        if (highTick < V3TickMath.MaxTick && V3TickMath.GetSqrtRatioAtTick(highTick) < sqrtHighX96) highTick++;
        var lower = Math.Clamp(FloorTo(lowTick, spacing), min, max);
        var upper = Math.Clamp(CeilTo(highTick, spacing), min, max);
        if (lower >= upper)
        {
            if (upper < max) upper = lower + spacing;
            else lower = upper - spacing;
        }
        return new TickRange(lower, upper);
    }

    /// <summary>
    /// The range to send: the outward rounding, or, when the policy would refuse it (<paramref name="acceptable"/> false: its
    /// width or its centre's skew), the nearest range it accepts among the outward rounding's ends moved by whole spacings —
    /// first the widenings by up to <see cref="MaxExtraSpacings"/> a side (which still contain the target), then, for a
    /// target at the policy's widest whose rounding is too wide, those that also take one spacing in on a side — fewest
    /// spacings moved first, then the centre nearest the target's. When none is accepted, the outward rounding: the Guard
    /// then names the manager's refusal.
    /// </summary>
    public static TickRange Choose(BigInteger sqrtLowX96, BigInteger sqrtHighX96, int spacing, Func<TickRange, bool> acceptable)
    {
        ArgumentNullException.ThrowIfNull(acceptable);
        var outward = RoundOutward(sqrtLowX96, sqrtHighX96, spacing);
        if (acceptable(outward)) return outward;
        var (min, max) = V3TickMath.UsableTicks(spacing);
        var centreSqrt = BigInteger.Clamp(Uint.Sqrt(sqrtLowX96 * sqrtHighX96), V3TickMath.MinSqrtRatio, V3TickMath.MaxSqrtRatio - 1);
        var targetCentre = V3TickMath.GetTickAtSqrtRatio(centreSqrt);
        var candidates =
            from below in Enumerable.Range(-1, MaxExtraSpacings + 2) // spacings added below the lower end (−1: one taken in)
            from above in Enumerable.Range(-1, MaxExtraSpacings + 2)
            where below != 0 || above != 0
            let range = new TickRange(outward.Lower - below * spacing, outward.Upper + above * spacing)
            where range.Lower >= min && range.Upper <= max && range.Lower < range.Upper
            orderby below < 0 || above < 0, Math.Abs(below) + Math.Abs(above), Math.Abs((long)range.Lower + range.Upper - 2L * targetCentre)
            select range;
        foreach (var range in candidates)
            if (acceptable(range)) return range;
        return outward;
    }

    /// <summary>
    /// Whether the manager's range guards accept <paramref name="range"/> with the oracle at <paramref name="priceX128"/>
    /// and the holdings' base share at <paramref name="shareBps"/>: its width (the vault's width formula on the ticks'
    /// sqrt prices) in the policy's bounds, its centre's skew within maxSkewBps and toward the inventory's target (the
    /// vault's skew-direction rule, which passes half a tick spacing either way: <see cref="VaultPolicyMath.GridSkewToleranceBps"/>).
    /// </summary>
    public static bool PolicyAccepts(TickRange range, int tickSpacing, PoolPolicy policy, BigInteger priceX128, BigInteger shareBps)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var width = VaultPolicyMath.WidthBps(range.SqrtUpperX96, range.SqrtLowerX96);
        if (width < policy.MinWidthBps || VaultPolicyMath.AboveMaxWidth(width, policy.MaxWidthBps)) return false;
        var centre = range.CentreSqrtX96;
        if (VaultPolicyMath.SkewBps(centre, priceX128) > policy.MaxSkewBps) return false;
        return VaultPolicyMath.SkewTowardInventoryOk(VaultPolicyMath.SignedSkewBps(centre, priceX128), shareBps,
            policy.MinBaseShareBps, policy.MaxBaseShareBps, policy.MaxSkewBps, VaultPolicyMath.GridSkewToleranceBps(tickSpacing));
    }

    /// <summary>
    /// The Decider's range as the v3 position it asks for: for a venue that mints at its spot (<see cref="PoolInputs.RangeAtSpot"/>)
    /// the Decider's target is the model's range itself, centred where it centred the curve (<see cref="Strategy.Rules.RangeFit.AtSpot"/>).
    /// </summary>
    public static (BigInteger SqrtLowX96, BigInteger SqrtHighX96) ModelRange(RebalanceAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return (action.ExpectedSqrtPriceLowX96, action.ExpectedSqrtPriceHighX96);
    }

    /// <summary>
    /// The position is already on the target: each end within <see cref="Decider.SameCurveWidthTolerance"/> of the
    /// target's width (the Decider's AlreadyAtTarget rule, in ticks: a tick is a fixed step of log price). Re-minting it
    /// would move no tokens; without this the keeper would re-send the same range every interval.
    /// </summary>
    public static bool SameRange(TickRange current, TickRange target)
    {
        var tolerance = Decider.SameCurveWidthTolerance * ((long)target.Upper - target.Lower);
        return Math.Abs((long)current.Lower - target.Lower) <= tolerance && Math.Abs((long)current.Upper - target.Upper) <= tolerance;
    }

    /// <summary>A swap the manager makes between the burn and the mint, and the holdings it leaves (at the oracle, less the fee).</summary>
    public sealed record SwapStep(bool ZeroForOne, BigInteger AmountIn, BigInteger Reserve0After, BigInteger Reserve1After, BigInteger ShareAfterBps);

    /// <summary>
    /// The swap that moves the holdings' base share <paramref name="fraction"/> of the way to <paramref name="targetShareBps"/>
    /// at the oracle (selling base when above it, buying when below), capped so that its price impact through the OTHER
    /// providers' active liquidity <paramref name="otherLiquidity"/> stays within half the policy's slippage bound less the
    /// fee and the spot's distance from the oracle against the swap (the manager's price limit and minimum output are the
    /// slippage bound, at the oracle); null when there is nothing to swap or no room: no other liquidity, a fee and spot
    /// offset at or past that bound, or a gap under 1 bp.
    /// </summary>
    public static SwapStep? SwapToward(BigInteger reserve0, BigInteger reserve1, BigInteger priceX128, BigInteger spotSqrtX96, int targetShareBps, double fraction,
        BigInteger otherLiquidity, int feePips, int maxSwapSlippageBps)
    {
        if (priceX128.Sign <= 0 || !(fraction > 0) || otherLiquidity.Sign <= 0) return null;
        var value0 = reserve0 * priceX128 >> 128; // base's value in quote units
        var value = value0 + reserve1;
        if (value.IsZero) return null;
        var share = value0 * 10_000 / value;
        var gap = (double)(value * targetShareBps / 10_000 - value0) * fraction; // quote units of value to move into base (< 0: out of it)
        if (Math.Abs((double)share - targetShareBps) < 1 || gap == 0) return null;
        // bps of price the swap may move: half the slippage bound, less the fee and the spot's distance from the oracle
        // against the swap (buying base above the oracle, selling it below), which the manager's minimum output counts too
        var spotOffBps = (double)((spotSqrtX96 * spotSqrtX96 >> 64) - priceX128) * 10_000 / (double)priceX128;
        var room = maxSwapSlippageBps / 2.0 - feePips / 100.0 - Math.Max(0, gap > 0 ? spotOffBps : -spotOffBps);
        if (room <= 0) return null;
        var sqrtP = (double)spotSqrtX96 / Math.Pow(2, 96);
        var move = Math.Sqrt(1 + room / 10_000) - 1; // the sqrt price's relative move allowed
        var feeKept = 1 - feePips / 1e6;
        if (gap > 0)
        {
            // buy base: token1 in; Δ√P = amount1 / L
            var amount = new BigInteger(Math.Min(gap, (double)otherLiquidity * sqrtP * move));
            if (amount.Sign <= 0) return null;
            var bought = new BigInteger((double)amount * feeKept) * (BigInteger.One << 128) / priceX128;
            return Step(false, amount, reserve0 + bought, reserve1 - amount);
        }
        else
        {
            // sell base: token0 in; Δ(1/√P) = amount0 / L
            var amount = BigInteger.Min(reserve0, new BigInteger(Math.Min(-gap * Math.Pow(2, 128) / (double)priceX128, (double)otherLiquidity * move / sqrtP)));
            if (amount.Sign <= 0) return null;
            var sold = new BigInteger((double)(amount * priceX128 >> 128) * feeKept);
            return Step(true, amount, reserve0 - amount, reserve1 + sold);
        }

        SwapStep Step(bool zeroForOne, BigInteger amountIn, BigInteger r0, BigInteger r1) =>
            new(zeroForOne, amountIn, r0, r1, VaultPolicyMath.BaseShareBps(r0, r1, priceX128));
    }

    /// <summary>
    /// The Decider's rebalance of a v3 pool as the manager's call: the model's range (<see cref="ModelRange"/>) rounded to
    /// the pool's ticks (<see cref="Choose"/>, accepted by <see cref="PolicyAccepts"/> at the oracle and the holdings'
    /// share). On an inventory trigger (the band, the hard limit) a swap toward the target share comes first
    /// (<see cref="SwapToward"/>: the largest fraction of the gap, <see cref="MaxSwapFraction"/> down to <see cref="MinSwapFraction"/>,
    /// after which an accepted range exists), and the range is then centred on the oracle — the swap, not a skewed centre,
    /// moves a v3 position's inventory. The plan's expected range and liquidity are the ticks' and what the holdings (after
    /// the swap, at the oracle less the fee) fund there at the spot (the manager's mint). A Hold: AlreadyAtTarget when no
    /// swap is due and the position is already on that range (<see cref="SameRange"/>); NoFeasibleCurve when the holdings
    /// fund no liquidity there.
    /// </summary>
    /// <remarks>The target carries no observation hint: the cycle sets it for the block the rebalance is expected to land in
    /// (<see cref="ObservationHints.WithObservationHintAsync"/>) before the Guard simulates it.</remarks>
    public static Decision Plan(PoolIdentity id, UniswapV3PoolIdentity v3, UniswapV3Reading read, PoolInputs inputs, PoolTargets targets, RebalanceAction action, long block)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(v3);
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(action);
        var state = inputs.State;
        var policy = inputs.Policy;
        var priceX128 = VaultPolicyMath.PriceX128(inputs.Price.Answer, policy.PriceScaleExp)
            ?? throw new ArgumentException("the price feed's answer is not a usable price (the Decider holds on it first)", nameof(inputs));
        var share = VaultPolicyMath.BaseShareBps(state.Reserve0, state.Reserve1, priceX128);
        var (low, high) = ModelRange(action);

        // the inventory's lever on v3 is the swap (a mint cannot move the price): on an inventory trigger, the largest swap
        // toward the target after which a range the policy accepts exists, the range then centred on the oracle
        var swap = (SwapStep?)null;
        var range = (TickRange?)null;
        var outward = RoundOutward(low, high, v3.TickSpacing);
        if (action.Trigger is RebalanceTrigger.InventoryBand or RebalanceTrigger.HardLimit
            && SwapTarget(share, policy, targets.TargetBaseShareBps) is { } target)
        {
            var (centredLow, centredHigh) = Centred(low, high, priceX128);
            var position = read.Position;
            var ourTick = (int)read.Slot0.Tick;
            var ours = position.TickLower <= ourTick && ourTick < position.TickUpper ? position.Liquidity : BigInteger.Zero;
            for (var f = MaxSwapFraction; f >= MinSwapFraction - 1e-9 && range is null; f -= SwapFractionStep)
            {
                if (SwapToward(state.Reserve0, state.Reserve1, priceX128, state.SqrtPriceX96, target, f, read.PoolLiquidity - ours, v3.FeePips, (int)read.Policy.MaxSwapSlippageBps) is not { } step) break;
                var candidate = Choose(centredLow, centredHigh, v3.TickSpacing, r => PolicyAccepts(r, v3.TickSpacing, policy, priceX128, step.ShareAfterBps));
                if (!PolicyAccepts(candidate, v3.TickSpacing, policy, priceX128, step.ShareAfterBps)) continue;
                (swap, range, outward) = (step, candidate, RoundOutward(centredLow, centredHigh, v3.TickSpacing));
            }
        }
        range ??= Choose(low, high, v3.TickSpacing, r => PolicyAccepts(r, v3.TickSpacing, policy, priceX128, share));
        var chosen = range.Value;
        var held = read.Position;
        if (swap is null && held.TickLower != held.TickUpper && new TickRange((int)held.TickLower, (int)held.TickUpper) is var current && SameRange(current, chosen))
            return new Hold(id.Pool, id.Label, block, HoldReason.AlreadyAtTarget,
                $"the position is already on ticks {current}: the target {chosen} is within {Decider.SameCurveWidthTolerance:0.##} of its width at both ends; only flow moves the inventory", action.View);
        var (reserve0, reserve1) = swap is { } sw ? (sw.Reserve0After, sw.Reserve1After) : (state.Reserve0, state.Reserve1);
        var liquidity = LiquidityAmounts.GetLiquidityForAmounts(state.SqrtPriceX96, chosen.SqrtLowerX96, chosen.SqrtUpperX96, reserve0, reserve1);
        var rawToHuman = Math.Pow(10, inputs.BaseDecimals - inputs.QuoteDecimals);
        if (liquidity.IsZero)
            return new Hold(id.Pool, id.Label, block, HoldReason.NoFeasibleCurve,
                $"the holdings ({F((double)reserve0 / Math.Pow(10, inputs.BaseDecimals))} base, {F((double)reserve1 / Math.Pow(10, inputs.QuoteDecimals))} quote) fund no liquidity on ticks {chosen} at the spot, " +
                "and no swap toward the target is possible (no other liquidity in the pool, or the policy's slippage bound leaves no room past the fee); the owner can deposit the missing token", action.View);
        var why = $"Uniswap v3: ticks {chosen} (spacing {v3.TickSpacing}, the pool's fee tier {v3.FeePips} pips): the model's range" +
                  (swap is null ? "" : " re-centred on the oracle (the swap moves the inventory, not a skewed centre)") +
                  $" rounded outward{(chosen == outward ? "" : $" and widened from {outward} to a width and centre the policy accepts")}; " +
                  (swap is { } s2
                      ? $"swap {(s2.ZeroForOne ? $"{F((double)s2.AmountIn / Math.Pow(10, inputs.BaseDecimals))} base for quote" : $"{F((double)s2.AmountIn / Math.Pow(10, inputs.QuoteDecimals))} quote for base")} first (base share {(double)share / 100:0.##}% → about {(double)s2.ShareAfterBps / 100:0.##}%)"
                      : "no swap") +
                  $"; the holdings then fill the range at the spot (liquidity about {liquidity}), the rest stays idle";
        return new Plan(id.Pool, id.Label, block, action with
        {
            ExpectedLiquidity = liquidity,
            ExpectedSqrtPriceLowX96 = chosen.SqrtLowerX96,
            ExpectedSqrtPriceHighX96 = chosen.SqrtUpperX96,
            PriceLow = Uint.PriceFromSqrtPriceX96(chosen.SqrtLowerX96) * rawToHuman,
            PriceHigh = Uint.PriceFromSqrtPriceX96(chosen.SqrtUpperX96) * rawToHuman,
            Reasons = [.. action.Reasons, why],
        })
        {
            UniswapV3 = new UniswapV3Rebalance(v3.Manager, new UniswapV3PositionManager.RangeTarget(chosen.Lower, chosen.Upper, swap?.ZeroForOne ?? false, swap?.AmountIn ?? BigInteger.Zero, UniswapV3ObservationHint.None)),
        };
    }

    /// <summary>The share a swap aims at: the operator's target (Pools:i:TargetBaseShareBps), but never past the manager's own target (the
    /// policy's midpoint: its SwapPastTarget rule); null when the two lie on opposite sides of the current share.</summary>
    private static int? SwapTarget(BigInteger share, PoolPolicy policy, int operatorTarget)
    {
        var manager = (policy.MinBaseShareBps + policy.MaxBaseShareBps) / 2;
        if (Math.Sign(manager - (double)share) != Math.Sign(operatorTarget - (double)share)) return null;
        return share < manager ? Math.Min(manager, operatorTarget) : Math.Max(manager, operatorTarget);
    }

    /// <summary>[low, high] moved to the same log width around the oracle price.</summary>
    private static (BigInteger Low, BigInteger High) Centred(BigInteger low, BigInteger high, BigInteger priceX128)
    {
        var oracleSqrt = Uint.Sqrt(priceX128 << 64); // √(P·2^128)·2^32 = √P·2^96
        var q96 = BigInteger.One << 96;
        var half = Uint.Sqrt(high * q96 / low * q96); // √(high/low)·2^96: the sqrt prices' ratio from the centre to each end
        return (oracleSqrt * q96 / half, oracleSqrt * half / q96);
    }

    private static string F(double v) => Models.Formatting.Numbers.Fixed(v);

    private static int FloorTo(int tick, int spacing) => (int)Math.Floor((double)tick / spacing) * spacing;
    private static int CeilTo(int tick, int spacing) => (int)Math.Ceiling((double)tick / spacing) * spacing;
}
