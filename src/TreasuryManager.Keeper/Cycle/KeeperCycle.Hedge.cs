using System.Globalization;
using System.Numerics;
using Microsoft.Extensions.Logging;
using TreasuryManager.Ethereum;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Keeper.Hedging;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Strategy.Decisions;
using TreasuryManager.Strategy.Hedging;
using TreasuryManager.Strategy.Risk;
using PoolExposure = TreasuryManager.Strategy.Risk.PoolExposure<TreasuryManager.Ethereum.Address>;
using RiskEnforcement = TreasuryManager.Strategy.Risk.RiskEnforcement<TreasuryManager.Ethereum.Address>;
using TokenRisk = TreasuryManager.Strategy.Risk.TokenRisk<TreasuryManager.Ethereum.Address>;

namespace TreasuryManager.Keeper.Cycle;

/// <summary>Why a hedged pool's hedge sent nothing this cycle.</summary>
public enum HedgeHoldReason
{
    /// <summary>The pool or its hedge could not be read this cycle.</summary>
    ObserveFailed,
    /// <summary>Hedge:Ratio &gt; 0 but the vault has no hedge policy for the pool (the owner must call setHedgePolicy).</summary>
    NoPolicy,
    /// <summary>The hedge market refused the read (a stale mark: StalePrice; a bad answer…).</summary>
    MarketRefused,
    /// <summary>No oracle price or σ this cycle (the pool's decision held before it had them).</summary>
    NoInputs,
    /// <summary>An earlier hedge of this pool is in flight, or was settled by this cycle's recovery after the observation.</summary>
    InFlight,
    /// <summary>The deviation from the target is inside the band, and the treasury is within its limits.</summary>
    InsideBand,
    /// <summary>The trade rounds to less than one base unit and no margin change.</summary>
    RoundsToNothing,
    /// <summary>The chain would reject adjustHedge (the vault paused, a policy limit, the market's margin rules…).</summary>
    GuardRejected,
    /// <summary>Sent but not mined (deferred for gas, failed, not final yet).</summary>
    NotMined,
    /// <summary>A dry run: the trade was decided, nothing is sent.</summary>
    DryRun,
}

/// <summary>
/// One hedged pool's hedge in a cycle: the figures (whole base tokens) the decision rests on, the decision, and what was
/// done. <see cref="Plan"/> is the raw adjustment when one was planned; <see cref="Outcome"/> when it was sent.
/// </summary>
public sealed record HedgeStep(
    Address Pool, string Label, long Block, double PoolBase, double PerpSizeBefore, double TargetSize, double Band,
    double SizeDelta, bool Urgent, HedgeDecision? Decision, PerpOrderPlan? Plan, ExecutionOutcome? Outcome, HedgeHoldReason? Held, string Reason)
{
    public bool Traded => Outcome is ExecutionOutcome.Mined;
}

/// <summary>
/// The treasury-wide figures of a cycle (issue 7, item 4a) per base token: <see cref="Before"/> as observed,
/// <see cref="After"/> with this cycle's mined hedges; and the limit rule's answer.
/// </summary>
public sealed record TreasuryRiskReport(IReadOnlyList<TokenRisk> Before, IReadOnlyList<TokenRisk> After, RiskEnforcement Enforcement);

public sealed partial class KeeperCycle
{
    private readonly Dictionary<Address, VaultPerpHedgeVenue> _venues = new();

    /// <summary>
    /// The hedge step, after the rebalance step: for each hedged pool x(P) of its curve (the one just set when its
    /// rebalance was mined this cycle) at the oracle price, <see cref="Hedger.Decide"/> with η = |x′(P)|·P·σ and the σ
    /// the Decider used; then the treasury's limits per base token (<see cref="TreasuryRisk"/>) add urgent trades;
    /// then each trade is sent through the pool's <see cref="VaultPerpHedgeVenue"/>. Holds name their reason; one log
    /// line per decision.
    /// </summary>
    private async Task<(IReadOnlyList<HedgeStep> Steps, TreasuryRiskReport? Risk)> HedgeAsync(
        ChainObservation observation, IReadOnlyList<Decision> decisions, IReadOnlyList<(Plan Plan, ExecutionOutcome Outcome)> acted,
        BigInteger gasPrice, bool act, IReadOnlySet<Address> settledByRecovery, CancellationToken ct)
    {
        var hedgedAny = _settings.Pools.Any(p => p.Hedge?.Wanted == true);
        var limits = _settings.Risk?.Limits() ?? new Dictionary<Address, double>();
        if (!hedgedAny && limits.Count == 0) return ([], null);

        var decisionOf = decisions.ToDictionary(d => d.Pool);
        var minedPlan = acted.Where(a => a.Outcome is ExecutionOutcome.Mined).ToDictionary(a => a.Plan.Pool, a => a.Plan);
        var inFlight = InFlightPools(IntentKind.Hedge);
        var steps = new Dictionary<Address, HedgeStep>();
        var candidates = new List<(PoolObservation Obs, VaultPerpHedgeVenue Venue, PerpHedgeState State, HedgeStepInputs Inputs, double X, HedgeDecision Decision)>();
        var exposures = new List<PoolExposure>(); // the hedged pools' positions as their own decisions leave them
        var observedSize = new Dictionary<Address, double>();

        foreach (var o in observation.Pools)
        {
            var settings = _poolSettings[o.Pool].Hedge;
            var wanted = settings?.Wanted == true;
            var view = decisionOf.TryGetValue(o.Pool, out var dec) ? dec.Inventory : null;
            double? x = null;
            HedgeCurve? curve = null;
            if (o.Snapshot is { } st && view is { OraclePrice: > 0 } v)
            {
                curve = minedPlan.TryGetValue(o.Pool, out var plan)
                    ? new HedgeCurve(plan.ExpectedLiquidity, plan.ExpectedSqrtPriceLowX96, plan.ExpectedSqrtPriceHighX96)
                    : new HedgeCurve(st.Liquidity, st.SqrtPriceLowX96, st.SqrtPriceHighX96);
                x = (curve.Liquidity.IsZero ? 0 : HedgePlanner.CurveDelta(curve.Liquidity, curve.SqrtPriceLowX96, curve.SqrtPriceHighX96, v.OraclePrice, o.Identity.BaseDecimals, o.Identity.QuoteDecimals).X)
                    + IdleBase(o); // a v3 position's idle base is the treasury's exposure too (a ManagedPool holds all its reserves in its curve)
            }
            if (!wanted)
            {
                // an unhedged pool still counts in its token's net delta (its hedge account, if any, is not read)
                if (x is { } ux && view is { } uv)
                    exposures.Add(new PoolExposure(o.Pool, o.Identity.Token0, ux, 0, uv.OraclePrice, uv.VolatilityPerDay, false, 0, 0));
                continue;
            }
            HedgeStep HoldStep(HedgeHoldReason reason, string detail, double poolBase = double.NaN, double size = double.NaN) =>
                new(o.Pool, o.Identity.Label, observation.BlockNumber, poolBase, size, double.NaN, double.NaN, 0, false, null, null, null, reason, detail);

            if (o.Hedge is null || o.Error is not null && o.State is null)
            {
                steps[o.Pool] = HoldStep(HedgeHoldReason.ObserveFailed, o.Error ?? "the pool's hedge was not read this cycle");
                continue;
            }
            if (!o.Hedge.HasPolicy)
            {
                steps[o.Pool] = HoldStep(o.Hedge.Error is null ? HedgeHoldReason.NoPolicy : HedgeHoldReason.ObserveFailed,
                    o.Hedge.Error ?? $"Hedge:Ratio is {settings!.Ratio} but the vault has no hedge policy for {o.Identity.Label}; the owner must call setHedgePolicy (or set the ratio to 0)");
                continue;
            }
            if (o.Hedge.State is not { } state)
            {
                steps[o.Pool] = HoldStep(HedgeHoldReason.MarketRefused, o.Hedge.Error ?? "the hedge market could not be read");
                continue;
            }
            if (x is not { } poolBase || view is not { } pv || !double.IsFinite(pv.VolatilityPerDay) || pv.VolatilityPerDay <= 0)
            {
                var why = dec is Hold h ? $"{h.Reason}: {h.Detail}" : "no view";
                steps[o.Pool] = HoldStep(HedgeHoldReason.NoInputs, $"no oracle price or σ for the hedge this cycle (the pool's decision: {why})", x ?? double.NaN, state.Size);
                if (x is { } hx && view is { } hv)
                    exposures.Add(new PoolExposure(o.Pool, o.Identity.Token0, hx, state.Size, hv.OraclePrice, hv.VolatilityPerDay, false, state.MaxAbsSize, state.MaxAbsSize));
                continue;
            }
            if (inFlight.Contains(o.Pool) || settledByRecovery.Contains(o.Pool))
            {
                steps[o.Pool] = HoldStep(HedgeHoldReason.InFlight, inFlight.Contains(o.Pool)
                    ? "an earlier hedge of this pool is still in flight"
                    : "an earlier hedge of this pool was settled by this cycle's recovery, after the observation; deciding from the next", poolBase, state.Size);
                exposures.Add(new PoolExposure(o.Pool, o.Identity.Token0, poolBase, state.Size, pv.OraclePrice, pv.VolatilityPerDay, false, state.MaxAbsSize, state.MaxAbsSize));
                continue;
            }

            var venue = Venue(o.Identity, settings!);
            venue.Use(state, gasPrice, new ObservedFees(observation.BlockNumber, observation.NextBaseFeePerGas));
            var costs = await venue.GetCostsAsync(ct).ConfigureAwait(false);
            var inputs = HedgeInputs(curve!, pv, o.Identity, state, settings!, _strategyOf[o.Pool].RiskAversion, costs); // γ per unit of this pool's quote
            var decision = HedgePlanner.Decide(inputs);
            candidates.Add((o, venue, state, inputs, poolBase, decision));
            observedSize[o.Pool] = state.Size;
            var planned = decision is HedgeAdjust a ? a.SizeDelta : 0;
            exposures.Add(new PoolExposure(o.Pool, o.Identity.Token0, poolBase, state.Size + planned, pv.OraclePrice, pv.VolatilityPerDay, true, state.MaxAbsSize, state.MaxAbsSize));
        }

        // the treasury's limits: urgent trades on top of the pools' own decisions
        var z = _settings.Risk?.ValueAtRiskZ ?? 2.33;
        var horizon = _settings.Risk?.ValueAtRiskHorizonDays ?? 1;
        var enforcement = TreasuryRisk.Enforce(exposures, limits);
        var extra = enforcement.Trades.GroupBy(t => t.Pool).ToDictionary(g => g.Key, g => g.Sum(t => t.SizeDelta));
        foreach (var b in enforcement.Breaches)
        {
            _metrics.RiskBreaches.WithLabels(b.Token.ToString()).Inc();
            _log.LogWarning("Treasury risk breach: {Detail}", b.Detail);
        }

        foreach (var (o, venue, state, inputs, poolBase, decision) in candidates)
        {
            var own = decision is HedgeAdjust a ? a.SizeDelta : 0;
            var urgentDelta = extra.TryGetValue(o.Pool, out var e) ? e : 0;
            var delta = own + urgentDelta;
            var urgent = urgentDelta != 0;
            var why = decision switch
            {
                HedgeAdjust adj => adj.Reason,
                HedgeHold hold => hold.Reason,
                _ => "",
            };
            if (urgent) why += string.Create(CultureInfo.InvariantCulture, $"; URGENT: the treasury's net delta in {o.Identity.Token0} is past its limit: {urgentDelta:G6} more");
            HedgeStep step;
            if (delta == 0)
            {
                step = new HedgeStep(o.Pool, o.Identity.Label, observation.BlockNumber, poolBase, state.Size, decision.TargetSize, decision.Band, 0, false, decision, null, null, HedgeHoldReason.InsideBand, why);
            }
            else if (!act || _executor is null)
            {
                var (_, plan) = venue.Prepare(inputs, delta, observation.BlockNumber);
                step = new HedgeStep(o.Pool, o.Identity.Label, observation.BlockNumber, poolBase, state.Size, decision.TargetSize, decision.Band, delta, urgent, decision, plan, null, HedgeHoldReason.DryRun, why + (plan.Detail.Length > 0 ? "; " + plan.Detail : ""));
            }
            else
            {
                var (order, plan) = venue.Prepare(inputs, delta, observation.BlockNumber);
                if (plan.Detail.Length > 0) why += "; " + plan.Detail;
                try
                {
                    var sent = await venue.SendAsync(order, urgent, ct).ConfigureAwait(false);
                    if (sent.Outcome is ExecutionOutcome.Mined m)
                    {
                        _metrics.HedgeTrades.WithLabels(o.Identity.Label, urgent ? "true" : "false").Inc();
                        _metrics.TransactionsMined.WithLabels("hedge").Inc();
                        _metrics.GasSpent.Inc((double)(m.Outcome.GasUsed * m.Outcome.EffectiveGasPrice));
                    }
                    else if (sent.Outcome is ExecutionOutcome.Failed)
                    {
                        _metrics.TransactionsFailed.WithLabels("hedge").Inc();
                    }
                    step = new HedgeStep(o.Pool, o.Identity.Label, observation.BlockNumber, poolBase, state.Size, decision.TargetSize, decision.Band, delta, urgent, decision, sent.Plan, sent.Outcome,
                        sent.Outcome is ExecutionOutcome.Mined ? null : HedgeHoldReason.NotMined, sent.Outcome is ExecutionOutcome.Mined ? $"{why}; mined {((ExecutionOutcome.Mined)sent.Outcome).Outcome.TransactionHash}" : $"{why}; {sent.Reason}");
                }
                catch (HedgeRefusedException refused)
                {
                    var reason = plan.IsEmpty ? HedgeHoldReason.RoundsToNothing : HedgeHoldReason.GuardRejected;
                    step = new HedgeStep(o.Pool, o.Identity.Label, observation.BlockNumber, poolBase, state.Size, decision.TargetSize, decision.Band, delta, urgent, decision, plan, null, reason, $"{why}; {refused.Reason}");
                }
            }
            steps[o.Pool] = step;
        }

        // metrics and one log line per hedged pool
        var ordered = observation.Pools.Where(o => steps.ContainsKey(o.Pool)).Select(o => steps[o.Pool]).ToArray();
        foreach (var s in ordered)
        {
            var sizeAfter = s.Traded ? PerpHedgeMath.Human(s.Plan!.NewSize, BaseDecimalsOf(s.Pool)) : s.PerpSizeBefore;
            if (double.IsFinite(s.PoolBase) && double.IsFinite(sizeAfter)) _metrics.NetDelta.WithLabels(s.Label).Set(s.PoolBase + sizeAfter);
            if (s.Held is { } held)
            {
                _metrics.HedgeHolds.WithLabels(s.Label, held.ToString()).Inc();
                _log.LogInformation("Hedge of {Pool} at block {Block}: hold {Reason} — {Detail}", s.Label, s.Block, held, s.Reason);
            }
            else
            {
                _log.LogInformation("Hedge of {Pool} at block {Block}: traded {Delta} base{Urgent} — {Detail}", s.Label, s.Block, s.SizeDelta.ToString("G6", CultureInfo.InvariantCulture), s.Urgent ? " (urgent)" : "", s.Reason);
            }
        }
        var observed = exposures.Select(e => observedSize.TryGetValue(e.Pool, out var size) ? e with { PerpSize = size } : e).ToArray();
        var final = observed.Select(e => steps.TryGetValue(e.Pool, out var s) && s.Traded ? e with { PerpSize = PerpHedgeMath.Human(s.Plan!.NewSize, BaseDecimalsOf(e.Pool)) } : e).ToArray();
        var before = TreasuryRisk.Aggregate(observed, limits, z, horizon);
        var tokens = TreasuryRisk.Aggregate(final, limits, z, horizon);
        foreach (var t in tokens)
        {
            _metrics.TokenNetDelta.WithLabels(t.Token.ToString()).Set(t.NetDelta);
            if (double.IsFinite(t.ValueAtRisk)) _metrics.TokenValueAtRisk.WithLabels(t.Token.ToString()).Set(t.ValueAtRisk);
        }
        return (ordered, new TreasuryRiskReport(before, tokens, enforcement));
    }

    private int BaseDecimalsOf(Address pool) => Observer.Pools.First(p => p.Pool == pool).BaseDecimals;

    private VaultPerpHedgeVenue Venue(PoolIdentity id, HedgeSettings settings)
    {
        if (!_venues.TryGetValue(id.Pool, out var venue))
            _venues[id.Pool] = venue = new VaultPerpHedgeVenue(_eth, Observer.Vault, id.Pool, id.Label, id.BaseDecimals, id.QuoteDecimals, settings, _gasOf[id.Pool], _executor, _keeper); // gas priced in this pool's quote
        return venue;
    }

    /// <summary>
    /// The hedge planner's inputs as the keeper builds them: the pool's curve (the one just mined, else the pool's), the
    /// oracle price and σ the Decider used (its <see cref="InventoryView"/>), the account as the market shows it, the
    /// pool's hedge settings, γ and the venue's costs. The backtest's hedge builds the same record from its in-memory
    /// pool and perp (a property test holds the two equal).
    /// </summary>
    public static HedgeStepInputs HedgeInputs(HedgeCurve curve, InventoryView view, PoolIdentity pool, PerpHedgeState state, HedgeSettings settings, double riskAversion, HedgeCosts costs)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(settings);
        return new HedgeStepInputs(curve, view.OraclePrice, view.VolatilityPerDay, pool.BaseDecimals, pool.QuoteDecimals, state.Planning,
            settings.Ratio, settings.TargetMarginRatio, riskAversion, costs, settings.ReferenceBase);
    }

    /// <summary>The base a Uniswap v3 position holds idle beside its range (whole tokens; 0 for a ManagedPool). An estimate
    /// in the cycle of a mined v3 rebalance, which may have minted part of it.</summary>
    private static double IdleBase(PoolObservation o) =>
        o.UniswapV3 is { Position.Idle0: var idle } ? (double)idle / Math.Pow(10, o.Identity.BaseDecimals) : 0;
}
