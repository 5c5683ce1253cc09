using System.Diagnostics;
using System.Numerics;
using Microsoft.Extensions.Logging;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Keeper.Fleet;
using TreasuryManager.Keeper.Hosting;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Strategy.Decisions;
using TreasuryManager.Strategy.Estimation;
using TreasuryManager.Strategy.Inputs;
using TreasuryManager.Strategy.Rules;
using TreasuryManager.Strategy.Settings;
using DecisionContext = TreasuryManager.Strategy.Inputs.DecisionContext;

namespace TreasuryManager.Keeper.Cycle;

/// <summary>What one cycle saw, decided and did.</summary>
/// <param name="Decisions">One per pool, after the Guard: a Plan that passed it, or a Hold.</param>
/// <param name="Outcomes">What became of each plan that was acted on.</param>
/// <param name="ReadRoundTrips">HTTP requests the Observe step, the plans' observation hints and the Guard took (the sends not counted).</param>
public sealed record CycleReport(
    long Block,
    long Timestamp,
    BigInteger NextBaseFeePerGas,
    IReadOnlyList<Decision> Decisions,
    IReadOnlyList<ExecutionOutcome> Outcomes,
    int ReadRoundTrips,
    TimeSpan Elapsed)
{
    public IEnumerable<Plan> Plans => Decisions.OfType<Plan>();
    public IEnumerable<Hold> Holds => Decisions.OfType<Hold>();

    /// <summary>The hedge step: one entry per hedged pool (Hedge:Ratio &gt; 0), after the rebalances.</summary>
    public IReadOnlyList<HedgeStep> Hedges { get; init; } = [];

    /// <summary>The treasury-wide figures per base token and the limit rule's answer (null when nothing is hedged and no limit is set).</summary>
    public TreasuryRiskReport? Risk { get; init; }
    /// <summary>The JSON-RPC requests of the Observe step's batch (a fleet keeper: of its held pools only; when it took a
    /// pool this cycle, both reads).</summary>
    public int ObserveRequests { get; init; }

    /// <summary>What the Observe step read for each pool (its feeds' rounds, for `treasury status`).</summary>
    public IReadOnlyList<PoolObservation> Observations { get; init; } = [];
}

/// <summary>
/// The keeper's cycle: Observe (one batch, <see cref="ChainObserver"/>) → Strategy (the pure core: estimators and
/// <see cref="Decider"/>, per pool) → Guard (eth_call and eth_estimateGas of every plan in one batch, the gas rules
/// again with the estimate) → Submit (every plan of the cycle signed with consecutive nonces, journaled and broadcast
/// without waiting for each other) → Settle (each submission to its final receipt, the journal recording it) → Hedge.
/// A failure on one pool holds that pool only.
/// </summary>
public sealed partial class KeeperCycle
{
    private readonly EthClient _eth;
    private readonly TreasurySettings _settings;
    private readonly TransactionExecutor? _executor;
    private readonly Address _keeper;
    private readonly KeeperMetrics _metrics;
    private readonly ILogger _log;
    private readonly Dictionary<Address, PoolEstimators> _estimators = new();
    private readonly Dictionary<Address, PoolSettings> _poolSettings;
    private readonly IReadOnlyDictionary<Address, GasSettings> _gasOf;
    private readonly IReadOnlyDictionary<Address, StrategySettings> _strategyOf;
    private readonly Dictionary<Address, PoolEstimates> _lastEstimates = new();
    /// <summary>Each pool's last eth_estimateGas of its rebalance (the Guard's): the gas its next decision assumes, in place of
    /// <see cref="StrategySettings.AssumedRebalanceGas"/>, which holds only until the first estimate (a Uniswap v3 re-range
    /// costs about five times a ManagedPool's).</summary>
    private readonly Dictionary<Address, long> _estimatedRebalanceGas = new();
    private long _lastBlock = -1;
    private readonly FleetMember? _fleet;
    private readonly ForeignIntentSettler? _settler;
    private IReadOnlySet<Address> _lastLeased = new HashSet<Address>();

    /// <param name="fleet">With a PostgreSQL journal: the keeper's fleet membership; an acting cycle then decides and acts
    /// only for the pools whose lease it holds, and never plans for a pool another keeper has a transaction in flight for.</param>
    public KeeperCycle(EthClient eth, ChainObserver observer, TreasurySettings settings, Address keeper, TransactionExecutor? executor, KeeperMetrics metrics, ILogger log,
        FleetMember? fleet = null)
    {
        _fleet = fleet;
        _settler = fleet is null ? null : new ForeignIntentSettler(eth, fleet.Journal, log);
        _eth = eth;
        Observer = observer;
        _settings = settings;
        _keeper = keeper;
        _executor = executor;
        _metrics = metrics;
        _log = log;
        _poolSettings = settings.Pools.ToDictionary(p => Address.Parse(p.Address!), p => p);
        // gas cost and γ are in each pool's own quote token (pools may quote in WETH and in USDC)
        _gasOf = QuotePricing.GasPerPool(settings, observer.Pools);
        _strategyOf = QuotePricing.StrategyPerPool(settings, observer.Pools);
        foreach (var pool in observer.Pools)
            _estimators[pool.Pool] = NewEstimators();
        _configuredPools = observer.Pools.Select(p => p.Pool).ToArray();
    }

    private readonly Address[] _configuredPools;

    private PoolEstimators NewEstimators() => new(_settings.Strategy.VolatilitySmoothingSeconds, defence: _settings.Strategy.Defence);

    public ChainObserver Observer { get; }

    /// <summary>
    /// Runs one cycle if a new block has arrived since the last one (else returns null after the one read).
    /// With <paramref name="act"/> false it stops after the Guard (a dry run); plans are returned, nothing is sent.
    /// </summary>
    public async Task<CycleReport?> RunOnceAsync(bool act, bool evenIfSameBlock = false, Func<Plan, bool>? approve = null, CancellationToken ct = default)
    {
        var started = Stopwatch.GetTimestamp();
        ChainObservation observation;
        IReadOnlySet<Address>? leased = null;
        if (act && _fleet is not null)
        {
            // a fleet keeper observes only the pools it held after its last refresh, and reads the node BEFORE it renews
            // its leases (a keeper cut from its node renews nothing: its leases run out and another keeper takes them)
            observation = await Observer.ObserveAsync(_lastLeased, ct).ConfigureAwait(false);
            // it renews its leases every poll, new block or not, and decides only for the pools it holds
            leased = _fleet.Refresh(_configuredPools);
            var held = HeldPools.Change(_lastLeased, leased);
            if (held.Taken.Count > 0)
            {
                // a pool it has just taken is decided at once, on the current block (a failover acts without waiting for
                // a block), with new estimators (they warm up again), and observed first: every held pool is read again
                // in one batch, on one block, keeping the swaps the first read already consumed
                evenIfSameBlock = true;
                foreach (var pool in held.Taken)
                {
                    _estimators[pool] = NewEstimators();
                    _lastEstimates.Remove(pool);
                }
                var again = await Observer.ObserveAsync(leased, ct).ConfigureAwait(false);
                observation = HeldPools.Merge(observation, again);
            }
            _lastLeased = leased;
        }
        else observation = await Observer.ObserveAsync(ct).ConfigureAwait(false);
        // the waits below (receipts, confirmations, hedges) can outlast a lease: its leases are renewed meanwhile, so the
        // fleet does not take a pool from a keeper that is only waiting for its own transaction
        using var keepAlive = leased is not null ? _fleet!.KeepAlive() : null;
        if (observation.BlockNumber == _lastBlock && !evenIfSameBlock) return null;
        var newBlock = observation.BlockNumber != _lastBlock;
        _lastBlock = observation.BlockNumber;
        _metrics.Cycles.Inc();
        if (leased is not null)
        {
            observation = observation with { Pools = observation.Pools.Where(p => leased.Contains(p.Pool)).ToArray() };
            // what a previous holder of these pools left in flight is settled (or rebroadcast) before anything new is planned
            await _settler!.SettleAsync(leased, ct).ConfigureAwait(false);
        }
        var settledHedges = new HashSet<Address>();

        if (act && _executor is not null && _executor.Journal.UnfinishedIntents().Any(IsInFlight))
        {
            // an earlier transaction is still in flight (a restart, a wait that timed out, or a broadcast whose answer
            // was lost): settle it first — record its receipt, or rebroadcast its journaled bytes
            var settled = await _executor.RecoverAsync(ct).ConfigureAwait(false);
            foreach (var r in settled.Intents)
            {
                _log.LogInformation("In-flight intent {Key}: {Action} — {Detail}", r.Key, r.Action, r.Detail);
                // a hedge settled now may have landed after this cycle's observation: that pool's hedge waits a cycle
                if (r.Action != RecoveryAction.NotSent && _executor.Journal.GetIntent(r.IntentId) is { Kind: "hedge", Pool: { } hedged }) settledHedges.Add(hedged);
            }
        }

        var gasPrice = BigInteger.Min(_settings.Gas.MaxFeePerGasWei, observation.NextBaseFeePerGas + _settings.Gas.PriorityFeeWei);
        var inFlight = InFlightPools(IntentKind.Rebalance);
        var decisions = new List<Decision>();
        foreach (var pool in observation.Pools)
        {
            if (newBlock || !_lastEstimates.ContainsKey(pool.Pool))
                _lastEstimates[pool.Pool] = _estimators[pool.Pool].Update(pool.Snapshot, pool.Swaps, pool.Price?.Reading,
                    observation.Timestamp, pool.Identity.BaseDecimals, pool.Identity.QuoteDecimals);
            decisions.Add(Decide(pool, observation, gasPrice, inFlight.Contains(pool.Pool)));
        }

        // a plan's observation hint, for the block it is expected to land in (read only for the pools that plan)
        var hintTrips = 0;
        for (var i = 0; i < decisions.Count; i++)
        {
            if (decisions[i] is not Plan plan) continue;
            (decisions[i], var trips) = await ObservationHints.WithObservationHintAsync(plan, observation.Pools.First(p => p.Pool == plan.Pool),
                _eth.Rpc, observation.Timestamp, observation.BlockNumber, ct).ConfigureAwait(false);
            hintTrips += trips;
        }

        var (guarded, guardTrips) = await GuardAsync(decisions, gasPrice, observation.NextBaseFeePerGas, ct).ConfigureAwait(false);
        foreach (var d in guarded)
        {
            if (d.Inventory is { } v && double.IsFinite(v.Inventory))
            {
                _metrics.Inventory.WithLabels(d.Label).Set(v.Inventory);
                _metrics.BaseShare.WithLabels(d.Label).Set(v.BaseShareBps);
            }
            switch (d)
            {
                case Plan plan:
                    _metrics.Plans.WithLabels(d.Label).Inc();
                    _log.LogInformation("Plan for {Pool} at block {Block}: {Reasons}", plan.Label, plan.Block, string.Join("; ", plan.Reasons));
                    break;
                case Hold hold:
                    _metrics.Holds.WithLabels(d.Label, hold.Reason.ToString()).Inc();
                    _log.LogDebug("Hold {Pool} at block {Block}: {Reason} — {Detail}", hold.Label, hold.Block, hold.Reason, hold.Detail);
                    break;
            }
        }

        var outcomes = new List<ExecutionOutcome>();
        var acted = new List<(Plan, ExecutionOutcome)>();
        if (act && _executor is not null)
        {
            // Submit every plan first (consecutive nonces, priced from this cycle's Observe batch: same block; all journaled
            // in one transaction before the first broadcast), then settle each: no plan waits for another's confirmations.
            var fees = new ObservedFees(observation.BlockNumber, observation.NextBaseFeePerGas);
            var approved = guarded.OfType<Plan>().Where(plan => (approve is null || approve(plan)) && _fleet?.MayAct(plan.Pool) != false).ToArray();
            IReadOnlyList<Submission> submissions = [];
            try
            {
                if (approved.Length > 0) submissions = await _executor.SubmitAllAsync(approved.Select(RebalanceIntent).ToArray(), fees, ct).ConfigureAwait(false);
            }
            catch (FencingTokenRejectedException refusal)
            {
                // the lease was lost between the refresh and the journal's transaction: nothing was journaled or sent
                _log.LogWarning("{Message}", refusal.Message);
                _fleet?.Refused(refusal);
                _executor.ResynchroniseNonce(); // the nonces taken for the rolled-back batch were never used
                approved = [];
            }
            foreach (var (plan, submission) in approved.Zip(submissions))
            {
                var outcome = await _executor.SettleAsync(submission, ct).ConfigureAwait(false);
                Record(plan, outcome);
                outcomes.Add(outcome);
                acted.Add((plan, outcome));
            }
        }
        var (hedges, risk) = await HedgeAsync(observation, guarded, acted, gasPrice, act, settledHedges, ct).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        RecordExecutorGauges(observation.BlockNumber); // after the sends: no journal read on their path
        _metrics.CycleSeconds.Observe(elapsed.TotalSeconds);
        return new CycleReport(observation.BlockNumber, observation.Timestamp, observation.NextBaseFeePerGas, guarded, outcomes, observation.RoundTrips + hintTrips + guardTrips, elapsed)
        {
            ObserveRequests = observation.Requests,
            Hedges = hedges,
            Risk = risk,
            Observations = observation.Pools,
        };
    }

    /// <summary>One pool's decision: the Strategy core on its inputs, or the Hold an incomplete observation is.</summary>
    private Decision Decide(PoolObservation pool, ChainObservation observation, BigInteger gasPrice, bool inFlight)
    {
        var id = pool.Identity;
        var (inputs, incomplete) = StrategyInputs.From(pool);
        if (incomplete is not null) return Hold.Of(id.Pool, id.Label, observation.BlockNumber, incomplete);
        var gasUnits = _estimatedRebalanceGas.TryGetValue(pool.Pool, out var estimated) ? estimated : _settings.Strategy.AssumedRebalanceGas;
        var context = new DecisionContext(observation.Timestamp, gasPrice, gasUnits, (double)_gasOf[pool.Pool].EthPriceInQuote, inFlight);
        var settings = _poolSettings[pool.Pool];
        try
        {
            return Decider.Decide(inputs!, _lastEstimates[pool.Pool], settings.Targets, _strategyOf[pool.Pool], context) switch
            {
                RebalanceAction rebalance when id.UniswapV3 is { } v3 => UniswapV3Venue.Plan(id, v3, pool.UniswapV3!, inputs!, settings.Targets, rebalance, observation.BlockNumber),
                RebalanceAction rebalance => new Plan(id.Pool, id.Label, observation.BlockNumber, rebalance),
                HoldAction hold => Hold.Of(id.Pool, id.Label, observation.BlockNumber, hold),
                var other => throw new InvalidOperationException($"unknown decision {other}"),
            };
        }
        catch (Exception e) when (e is ArgumentException or ArithmeticException or Models.Curve.CurveMathException)
        {
            return new Hold(id.Pool, id.Label, observation.BlockNumber, HoldReason.NoFeasibleCurve, $"the decision failed: {e.Message}");
        }
    }

    /// <summary>The rebalance transaction of a guarded plan: vault.rebalance, keyed by pool and block, the gas limit from the Guard's estimate with the margin.</summary>
    private TransactionIntent RebalanceIntent(Plan plan)
    {
        var (to, data) = plan.Call(Observer.Vault);
        return TransactionIntent.For(plan.IntentKey, to, data, plan.GasLimit(_settings.Gas), plan.Urgent);
    }

    /// <summary>Sends one guarded plan through the executor (and waits for it) and records the outcome in the metrics.</summary>
    public async Task<ExecutionOutcome> ActAsync(Plan plan, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (_executor is null) throw new InvalidOperationException("this cycle has no executor (dry run)");
        var outcome = await _executor.ExecuteAsync(RebalanceIntent(plan), null, ct).ConfigureAwait(false);
        Record(plan, outcome);
        return outcome;
    }

    private void Record(Plan plan, ExecutionOutcome outcome)
    {
        switch (outcome)
        {
            case ExecutionOutcome.Mined m:
                _metrics.TransactionsMined.WithLabels("rebalance").Inc();
                _metrics.TransactionsReplaced.WithLabels("rebalance").Inc(Math.Max(0, m.Attempts - 1));
                _metrics.GasSpent.Inc((double)(m.Outcome.GasUsed * m.Outcome.EffectiveGasPrice));
                _log.LogInformation("Rebalanced {Pool} ({Kind}): {Hash} in block {Block}, gas {Gas}, {Attempts} attempt(s)", plan.Label, plan.CountLabel, m.Outcome.TransactionHash, m.Outcome.BlockNumber, m.Outcome.GasUsed, m.Attempts);
                break;
            case ExecutionOutcome.Failed f:
                _metrics.TransactionsFailed.WithLabels("rebalance").Inc();
                _log.LogWarning("Rebalance of {Pool} failed: {Reason}", plan.Label, f.Reason);
                break;
            case ExecutionOutcome.Deferred d:
                _metrics.Holds.WithLabels(plan.Label, HoldReason.GasAboveCeiling.ToString()).Inc();
                _log.LogInformation("Rebalance of {Pool} deferred: {Reason}", plan.Label, d.Reason);
                break;
            case ExecutionOutcome.Unconfirmed u:
                _log.LogWarning("Rebalance of {Pool} not final yet: {Reason}", plan.Label, u.Reason);
                break;
        }
    }

    /// <summary>
    /// The Guard: each plan is simulated (eth_call from the keeper) and its gas estimated, all in one batch. A plan
    /// the chain would reject becomes a Hold naming the vault's error; the gas estimate replaces the assumed gas and
    /// the benefit is tested again against it; a non-urgent plan above the base-fee ceiling waits.
    /// </summary>
    private async Task<(IReadOnlyList<Decision> Decisions, int RoundTrips)> GuardAsync(List<Decision> decisions, BigInteger gasPrice, BigInteger nextBaseFee, CancellationToken ct)
    {
        var plans = decisions.OfType<Plan>().ToArray();
        if (plans.Length == 0) return (decisions, 0);
        var requests = new List<RpcRequest>();
        foreach (var plan in plans)
        {
            var (to, data) = plan.Call(Observer.Vault);
            var call = new CallRequest { From = _keeper, To = to, Data = data }.ToJson();
            // "pending": the rebalance will run in the next block, at its timestamp — the pool's first
            // transaction in a new second writes an oracle observation that a "latest" estimate misses.
            requests.Add(new RpcRequest("eth_call", call, "pending"));
            requests.Add(new RpcRequest("eth_estimateGas", call, "pending"));
        }
        var responses = await _eth.Rpc.BatchAsync(requests, ct).ConfigureAwait(false);
        var result = new List<Decision>(decisions.Count);
        var index = 0;
        foreach (var d in decisions)
        {
            if (d is not Plan plan) { result.Add(d); continue; }
            var simulated = responses[2 * index];
            var estimated = responses[2 * index + 1];
            index++;
            var error = simulated.Error ?? estimated.Error;
            if (error is not null)
            {
                result.Add(new Hold(plan.Pool, plan.Label, plan.Block, HoldReason.GuardRejected, $"the chain would reject the rebalance: {RevertExplainer.Explain(error)}", plan.View));
                continue;
            }
            var gas = Quantity.DecodeLong(estimated.GetResult().GetString()!, "gas estimate");
            _estimatedRebalanceGas[plan.Pool] = gas;
            var cost = GasRules.Cost(gas, gasPrice, (double)_gasOf[plan.Pool].EthPriceInQuote);
            var guarded = plan with { Action = plan.Action with { GasUnits = gas, GasCost = cost } };
            if (plan.Action.GatedByBenefit && !GasRules.BenefitBeatsGas(plan.ExpectedBenefit, cost, _settings.Strategy.BenefitToGasMargin))
            {
                result.Add(new Hold(plan.Pool, plan.Label, plan.Block, HoldReason.BenefitBelowGas,
                    $"with the estimated {gas} gas the cost is {Models.Formatting.Numbers.Fixed(cost)} quote; the benefit {Models.Formatting.Numbers.Fixed(plan.ExpectedBenefit)} is under {_settings.Strategy.BenefitToGasMargin}× that", plan.View));
                continue;
            }
            if (GasRules.WaitsForGas(plan.Urgent, nextBaseFee, _settings.Gas.BaseFeeCeilingWei))
            {
                result.Add(new Hold(plan.Pool, plan.Label, plan.Block, HoldReason.GasAboveCeiling,
                    $"the next base fee {(decimal)nextBaseFee / 1e9m:0.###} gwei is above the ceiling {_settings.Gas.BaseFeeCeilingGwei} gwei and the plan is not urgent; waiting", plan.View));
                continue;
            }
            result.Add(guarded);
        }
        return (result, 1);
    }

    /// <summary>
    /// Sent, or still Pending with a signed attempt: a broadcast that failed ambiguously (a timeout, a lost answer) may
    /// have reached the node, so its journaled bytes must be settled before anything new is signed for that pool.
    /// </summary>
    private bool IsInFlight(IntentRecord intent) =>
        intent.Status != IntentStatus.Pending
        || _executor!.Journal.Attempts(intent.Id).Any(a => a.Status is AttemptStatus.Signed or AttemptStatus.Broadcast);

    private long _nonceResyncsSeen;

    /// <summary>The executor's nonce resyncs since the last cycle, and how long the oldest broadcast transaction has waited.</summary>
    private void RecordExecutorGauges(long block)
    {
        if (_executor is null) return;
        _metrics.NonceResyncs.Inc(_executor.NonceResyncs - _nonceResyncsSeen);
        _nonceResyncsSeen = _executor.NonceResyncs;
        var oldest = _executor.Journal.UnfinishedIntents()
            .SelectMany(i => _executor.Journal.Attempts(i.Id))
            .Where(a => a.Status == AttemptStatus.Broadcast && a.BroadcastBlock is not null)
            .Select(a => a.BroadcastBlock!.Value)
            .DefaultIfEmpty(block)
            .Min();
        _metrics.PendingTransactionBlocks.Set(Math.Max(0, block - oldest));
    }

    private HashSet<Address> InFlightPools(IntentKind kind)
    {
        var set = new HashSet<Address>();
        if (_executor is null) return set;
        var name = IntentKey.KindName(kind);
        foreach (var intent in _executor.Journal.UnfinishedIntents())
            if (intent.Kind == name && intent.Pool is { } pool && IsInFlight(intent)) set.Add(pool);
        if (_fleet is not null) set.UnionWith(_fleet.Journal.PoolsInFlightElsewhere(name)); // a previous holder's transaction may still land
        return set;
    }
}
