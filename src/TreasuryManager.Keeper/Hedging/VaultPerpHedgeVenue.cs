using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Strategy.Hedging;

namespace TreasuryManager.Keeper.Hedging;

/// <summary>The venue will not send the order: the chain would reject it, or it rounds to nothing. <see cref="Reason"/> says which.</summary>
public sealed class HedgeRefusedException(string reason) : Exception(reason)
{
    public string Reason { get; } = reason;
}

/// <summary>
/// The hedge of one pool on its TreasuryVault hedge market (a PerpMarket): reads vault.hedgePolicyOf(pool),
/// market.params() and market.accountView(vault); prices a trade at the market's fee rate plus the gas of one
/// adjustHedge; sends vault.adjustHedge through the keeper's <see cref="TransactionExecutor"/> and its journal, the
/// intent keyed by pool and cycle block so a restart never sends it twice. The keeper's cycle hands it the state its
/// Observe batch read (<see cref="Use"/>), so a cycle pays no extra round trip to know the position.
/// </summary>
public sealed class VaultPerpHedgeVenue : IHedgeVenue
{

    private readonly EthClient _eth;
    private readonly Address _vault;
    private readonly Address _from;
    private readonly TransactionExecutor? _executor;
    private readonly HedgeSettings _settings;
    private readonly GasSettings _gas;
    private readonly Dictionary<string, PerpOrderPlan> _prepared = new();
    private BigInteger _gasPrice;
    private ObservedFees? _observedFees;

    public VaultPerpHedgeVenue(EthClient eth, Address vault, Address pool, string label, int baseDecimals, int quoteDecimals,
        HedgeSettings settings, GasSettings gas, TransactionExecutor? executor, Address from)
    {
        _eth = eth;
        _vault = vault;
        Pool = pool;
        Label = label;
        BaseDecimals = baseDecimals;
        QuoteDecimals = quoteDecimals;
        _settings = settings;
        _gas = gas;
        _executor = executor;
        _from = executor?.Address ?? from;
    }

    public Address Pool { get; }
    public string Label { get; }
    public int BaseDecimals { get; }
    public int QuoteDecimals { get; }
    public string Name => $"vault hedge of {Label}" + (State is { } s ? $" on {s.Market}" : "");

    /// <summary>The state last read or handed over (null before the first).</summary>
    public PerpHedgeState? State { get; private set; }

    /// <summary>The state the cycle's Observe batch read, the gas price of the cycle, and its block's fees for the send.</summary>
    public void Use(PerpHedgeState state, BigInteger gasPriceWei, ObservedFees? fees = null)
    {
        State = state ?? throw new ArgumentNullException(nameof(state));
        _gasPrice = gasPriceWei;
        _observedFees = fees;
        _prepared.Clear();
    }

    /// <summary>Reads the policy, then the market's parameters and the vault's account (two batches). Throws <see cref="HedgeRefusedException"/> when there is no policy or the market refuses the read (a stale mark).</summary>
    public async Task<PerpHedgeState> ReadAsync(CancellationToken ct = default)
    {
        var first = new RpcBatch();
        var policyRead = first.Add(Call(_vault, TreasuryVault.EncodeHedgePolicyOf(Pool)), r => TreasuryVault.DecodeHedgePolicyOf(Bytes(r)));
        var policy = policyRead.Read(await first.SendAsync(_eth.Rpc, ct).ConfigureAwait(false));
        if (policy.Market == Address.Zero) throw new HedgeRefusedException($"the vault has no hedge policy for {Label}; the owner must call setHedgePolicy");
        var second = new RpcBatch();
        var reads = AddReads(second, policy.Market, _vault);
        var state = reads.Decode(Pool, policy, await second.SendAsync(_eth.Rpc, ct).ConfigureAwait(false), BaseDecimals, QuoteDecimals, out var error);
        if (state is null) throw new HedgeRefusedException(error!);
        State = state;
        return state;
    }

    /// <summary>The reads of the vault's hedge account on a market, added to a batch: params(), accountView(vault), markPrice().</summary>
    public sealed record AccountReads(
        RpcBatch.Item<PerpMarket.MarketParams> Params, RpcBatch.Item<PerpMarket.AccountView> Account, RpcBatch.Item<BigInteger> Mark)
    {
        /// <summary>
        /// The hedge state from the answers; null with <paramref name="error"/> naming the market's error (StalePrice…) when a
        /// read failed. markPrice() is read as well because accountView of an account without a position neither reads
        /// the mark nor checks that it is fresh; such an account's equity is its margin.
        /// </summary>
        public PerpHedgeState? Decode(Address pool, TreasuryVault.HedgePolicy policy, RpcBatch.Responses responses, int baseDecimals, int quoteDecimals, out string? error)
        {
            var failed = Params.Raw(responses).Error ?? Account.Raw(responses).Error ?? Mark.Raw(responses).Error;
            if (failed is not null)
            {
                error = $"reading the hedge market {policy.Market} failed: {RevertExplainer.Explain(failed)}";
                return null;
            }
            try
            {
                var p = Params.Read(responses);
                var v = Account.Read(responses);
                var m = Mark.Read(responses);
                if (v.Size.IsZero) v = v with { MarkPrice = m, Equity = v.Margin };
                error = null;
                return new PerpHedgeState(pool, policy, p, v, baseDecimals, quoteDecimals);
            }
            catch (EthereumFormatException e)
            {
                error = $"the hedge market {policy.Market} answered something that is not a PerpMarket: {e.Message}";
                return null;
            }
        }
    }

    /// <summary>Adds the reads of the vault's account on <paramref name="market"/> to <paramref name="batch"/>.</summary>
    public static AccountReads AddReads(RpcBatch batch, Address market, Address vault)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return new AccountReads(
            batch.Add(Call(market, PerpMarket.EncodeParams()), r => PerpMarket.DecodeParams(Bytes(r))),
            batch.Add(Call(market, PerpMarket.EncodeAccountView(vault)), r => PerpMarket.DecodeAccountView(Bytes(r))),
            batch.Add(Call(market, PerpMarket.EncodeMarkPrice()), r => PerpMarket.DecodeMarkPrice(Bytes(r))));
    }

    public async Task<HedgePosition> GetPositionAsync(CancellationToken ct = default) => (State ?? await ReadAsync(ct).ConfigureAwait(false)).Position;

    /// <summary>The market's fee rate; the fixed cost is one adjustHedge's assumed gas at the cycle's gas price, in quote.</summary>
    public async Task<HedgeCosts> GetCostsAsync(CancellationToken ct = default)
    {
        var state = State ?? await ReadAsync(ct).ConfigureAwait(false);
        var gasPrice = _gasPrice.IsZero ? await CurrentGasPriceAsync(ct).ConfigureAwait(false) : _gasPrice;
        return new HedgeCosts(state.FeeRate, Models.Risk.Band.GasCost(_settings.AssumedGas, (double)gasPrice, (double)_gas.EthPriceInQuote));
    }

    /// <summary>
    /// Plans (raw units, <see cref="HedgePlanner.Order"/>: the one hedge planner, the margin rule included) a trade of
    /// <paramref name="sizeDelta"/> base and returns the order to send with <see cref="AdjustAsync"/> (its margin delta is
    /// the one planned). Pure over the current state.
    /// </summary>
    public (HedgeOrder Order, PerpOrderPlan Plan) Prepare(HedgeStepInputs inputs, double sizeDelta, long block)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (State is null) throw new InvalidOperationException("no hedge state: call Use or ReadAsync first");
        var plan = HedgePlanner.Order(inputs, sizeDelta) ?? PerpHedgeMath.Plan(inputs.Account, 0, inputs.TargetMarginRatio);
        var order = new HedgeOrder(IntentKey(Pool, block), PerpHedgeMath.Human(plan.SizeDelta, BaseDecimals), PerpHedgeMath.Human(plan.MarginDelta, QuoteDecimals));
        _prepared[order.IntentKey.ToString()] = plan;
        return (order, plan);
    }

    /// <summary>The idempotency key of a hedge: one pool, one cycle block.</summary>
    public static IntentKey IntentKey(Address pool, long block) => new(IntentKind.Hedge, pool, block);

    /// <summary>
    /// Simulates vault.adjustHedge (eth_call and eth_estimateGas on "pending", one batch) and sends it through the
    /// executor. A prepared order is sent with its exact raw plan; another is converted (size toward zero). Throws
    /// <see cref="HedgeRefusedException"/> naming the vault's or the market's error when the chain would reject it.
    /// </summary>
    public async Task<HedgeFill> AdjustAsync(HedgeOrder order, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(order);
        var result = await SendAsync(order, urgent: false, ct).ConfigureAwait(false);
        return result.Fill ?? throw new HedgeRefusedException(result.Reason);
    }

    /// <summary>What a send came to: the executor's outcome, and the fill when it was mined.</summary>
    public sealed record SendResult(PerpOrderPlan Plan, ExecutionOutcome? Outcome, HedgeFill? Fill, long GasUnits, string Reason);

    public async Task<SendResult> SendAsync(HedgeOrder order, bool urgent, CancellationToken ct = default)
    {
        if (_executor is null) throw new InvalidOperationException("this venue has no executor (read only)");
        var state = State ?? throw new InvalidOperationException("no hedge state: call Use or ReadAsync first");
        if (!_prepared.TryGetValue(order.IntentKey.ToString(), out var plan))
        {
            plan = PerpHedgeMath.Plan(state.Planning, order.SizeDelta, _settings.TargetMarginRatio);
            var margin = order.MarginDelta >= 0 ? new BigInteger(Math.Ceiling(order.MarginDelta * Math.Pow(10, QuoteDecimals))) : new BigInteger(order.MarginDelta * Math.Pow(10, QuoteDecimals));
            plan = plan with { MarginDelta = margin };
        }
        if (plan.IsEmpty) throw new HedgeRefusedException("the order rounds to no change (less than one base unit, no margin change)");
        var data = TreasuryVault.EncodeAdjustHedge(Pool, plan.SizeDelta, plan.MarginDelta);
        var call = new CallRequest { From = _from, To = _vault, Data = data }.ToJson();
        var answers = await _eth.Rpc.BatchAsync([new RpcRequest("eth_call", call, "pending"), new RpcRequest("eth_estimateGas", call, "pending")], ct).ConfigureAwait(false);
        if ((answers[0].Error ?? answers[1].Error) is { } error)
            throw new HedgeRefusedException($"the chain would reject adjustHedge({plan.SizeDelta}, {plan.MarginDelta}): {RevertExplainer.Explain(error)}");
        var gas = Quantity.DecodeLong(answers[1].GetResult().GetString()!, "gas estimate");
        var intent = TransactionIntent.For(order.IntentKey, _vault, data, gas * _gas.GasLimitMarginPerMille / 1000, urgent);
        var outcome = await _executor.ExecuteAsync(intent, _observedFees, ct).ConfigureAwait(false);
        _observedFees = null; // a later send reads the fees afresh
        if (outcome is ExecutionOutcome.Mined)
        {
            var position = new HedgePosition(PerpHedgeMath.Human(plan.NewSize, BaseDecimals), PerpHedgeMath.Human(plan.EquityAfter, QuoteDecimals), state.MarkPrice);
            return new SendResult(plan, outcome, new HedgeFill(((ExecutionOutcome.Mined)outcome).Outcome.TransactionHash, position), gas, "mined");
        }
        var reason = outcome switch
        {
            ExecutionOutcome.Failed f => $"failed: {f.Reason}",
            ExecutionOutcome.Deferred d => $"deferred: {d.Reason}",
            ExecutionOutcome.Unconfirmed u => $"not final yet: {u.Reason}",
            _ => outcome.ToString(),
        };
        return new SendResult(plan, outcome, null, gas, reason);
    }

    private async Task<BigInteger> CurrentGasPriceAsync(CancellationToken ct)
    {
        var answer = await _eth.Rpc.CallAsync("eth_gasPrice", [], ct).ConfigureAwait(false);
        return Quantity.Decode(answer.GetString()!, "gas price");
    }

    internal static RpcRequest Call(Address to, byte[] data) => new("eth_call", new CallRequest { To = to, Data = data }.ToJson(), "latest");

    internal static byte[] Bytes(RpcResponse response) => Hex.Decode(response.GetResult().GetString()!, "eth_call result");
}
