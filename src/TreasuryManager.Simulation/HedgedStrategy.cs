using System.Numerics;
using TreasuryManager.Models.Curve;
using TreasuryManager.Strategy.Hedging;
using TreasuryManager.Strategy.Risk;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Simulation;

/// <summary>One keeper step of the hedge: the pool's base x(P), the perp position after the step, the hedger's target and band (base).</summary>
public sealed record HedgeStepRecord(int Step, double PoolBase, double PerpSize, double Target, double Band, bool Traded, double ReferenceBase = 0);

/// <summary>A hedged strategy's perp figures on one path (quote): trades, liquidations, funding paid (negative: received), trade fees, and the perp's PnL (equity minus net margin deposited; it includes funding and fees, not gas).</summary>
public sealed record HedgeStats(int Trades, int Liquidations, double FundingPaid, double Fees, double PerpPnl);

/// <summary>
/// "hedged": the managed keeper (<see cref="ManagedStrategy"/>) plus a short on an in-memory PerpMarket
/// (<see cref="InMemoryPerp{TAccount}"/>, mark = the path's oracle price, index = its reference price). Each keeper step,
/// after the keeper's own decision, the keeper's own hedge planner (<see cref="HedgePlanner"/>: x(P) and η = |x′(P)|·P·σ of
/// the pool's curve at the oracle's price, the band, and <see cref="PerpHedgeMath.Plan"/>'s margin rule — deposit up to
/// <c>perp.target_margin_ratio</c> of the notional with the trade, withdraw only above twice it) decides, then the
/// treasury-wide limit rule (<see cref="TreasuryRisk"/>; the backtest sets no limit), and the order is applied as
/// vault.adjustHedge is (deposit, trade, withdraw, atomically), charged one hedge's gas. Margin moves only with a trade,
/// as on chain. Margin comes from the treasury's other quote at par, so the strategy's value is the pool's tokens plus
/// the perp's equity minus the net margin deposited. Funding settles every elapsed interval (anyone may call
/// settleFunding; no gas to the treasury); a position below maintenance is liquidated by a third party (penalty lost).
/// "defended": the same with the keeper's toxic-flow defence on (StrategySettings.Defence.Enabled).
/// </summary>
public sealed class HedgedStrategy : IStrategy
{
    /// <summary>The treasury's account on the in-memory perp.</summary>
    public const string Account = "treasury";

    /// <summary>The backtest's hedge policy: no notional cap and no margin floor beyond the market's own (the vault's policy is the operator's).</summary>
    private static readonly HedgeLimits NoLimits = new(BigInteger.Pow(10, 60), 0);

    /// <summary>The pool and token the treasury-wide limit rule sees (one pool, one base token).</summary>
    private const string PoolId = "pool", BaseTokenId = "base";

    private const int FeedDecimals = 8;

    /// <summary>The perp's margin token has 6 decimals (a USDC-like quote; PerpMarket's prices must stay under 2^128, which an 18-decimal quote at 2,000 per base would not): perp quote figures are raw / 1e6.</summary>
    public const int QuoteDecimals = 6;
    private const double QuoteOne = 1e6;
    private readonly Scenario _s;
    private readonly ManagedStrategy _managed;
    private readonly Dictionary<string, int> _hedgeDecisions = [];
    private InMemoryPerp<string> _perp = null!;
    private int _trades;
    private readonly double _referenceBase;

    /// <param name="againstHold">Hedge the pool's deviation from the base it started with (the hold benchmark's
    /// holding; the default), not its whole inventory: HedgeStepInputs.ReferenceBase = the scenario's base amount.</param>
    public HedgedStrategy(Scenario s, string name, bool defended, bool againstHold = true)
    {
        ArgumentNullException.ThrowIfNull(s);
        _referenceBase = againstHold ? s.Pool.BaseAmount : 0;
        _s = s;
        Name = name;
        _managed = new ManagedStrategy(s, name, defended ? new DefenceSettings { Enabled = true } : null, hedgeRatio: s.Perp.HedgeRatio);
    }

    public string Name { get; }
    public IPoolVenue Main => _managed.Main;

    /// <summary>The keeper part (its settings and last decision).</summary>
    public ManagedStrategy Managed => _managed;

    public InMemoryPerp<string> Perp => _perp;

    /// <summary>When set (tests), called at each keeper step with the inputs the hedge decides from, before it trades.</summary>
    public Action<HedgeStepInputs, PerpTick>? BeforeHedge { get; init; }

    /// <summary>When set (tests), every keeper step's hedge is appended.</summary>
    public List<HedgeStepRecord>? Log { get; init; }

    public IReadOnlyDictionary<string, int> Decisions
    {
        get
        {
            var all = new Dictionary<string, int>(_managed.Decisions);
            foreach (var (k, v) in _hedgeDecisions) all[k] = v;
            return all;
        }
    }

    public IPoolVenue[] Start(MarketPath path, UInt256 base0, UInt256 quote0, IVenueFactory venues)
    {
        ArgumentNullException.ThrowIfNull(path);
        var pools = _managed.Start(path, base0, quote0, venues);
        _perp = new InMemoryPerp<string>(PerpParams.From(_s.Perp), path.Timestamp(0));
        return pools;
    }

    /// <summary>The perp's mark (the oracle's price as an 8-decimal feed answer) and index (the reference price) at a step, as PerpMarket prices.</summary>
    public static PerpTick Tick(MarketPath path, int step)
    {
        ArgumentNullException.ThrowIfNull(path);
        return new PerpTick(path.Timestamp(step), InMemoryPerp.Price(FeedAnswer(path.OraclePrice[step]), FeedDecimals, 18, QuoteDecimals), InMemoryPerp.Price(FeedAnswer(path.Reference[step]), FeedDecimals, 18, QuoteDecimals));
    }

    private static BigInteger FeedAnswer(double price) => new(Math.Round(price * 1e8));

    public void OnStep(Market market, int step)
    {
        ArgumentNullException.ThrowIfNull(market);
        _managed.OnStep(market, step);
        var tick = Tick(market.Path, step);
        _perp.SettleFunding(tick);
        var view = _perp.View(Account, tick);
        if (!view.Size.IsZero && view.Equity < view.MaintenanceMargin)
        {
            _perp.Liquidate(Account, tick);
            Count("Hedge liquidated");
        }
        if (step % _s.Strategies.KeeperEverySteps != 0) return;
        Hedge(market, step, tick);
    }

    /// <summary>
    /// The hedge step's inputs, exactly as the keeper's hedge step builds them from chain: the pool's curve after this
    /// step's rebalance, the oracle price and σ the keeper's Decider used (its inventory view: the larger of the feed's
    /// and the pool's EWMA σ), the account as PerpMarket.accountView shows it. Null when the Decider had no view this
    /// step (the keeper then holds its hedge too: NoInputs).
    /// </summary>
    public HedgeStepInputs? Inputs(Market market, int step, PerpTick tick)
    {
        ArgumentNullException.ThrowIfNull(market);
        if (_managed.LastDecision?.Inventory is not { OraclePrice: > 0 } view || !double.IsFinite(view.VolatilityPerDay) || view.VolatilityPerDay <= 0) return null;
        ref readonly var st = ref _managed.Main.State;
        var v = _perp.View(Account, tick);
        var equity = v.Size.IsZero ? v.Margin : v.Equity; // accountView of a flat account: its equity is its margin
        var account = new PerpHedgeAccount(new PerpAccountState(v.Size, v.Margin, equity, tick.Mark),
            new PerpMarketTerms(_s.Perp.FeePips, _s.Perp.InitialMarginPips), NoLimits, 18, QuoteDecimals);
        var costs = new HedgeCosts(_s.Perp.FeePips / 1e6, market.GasCostQuote(step, _s.Perp.HedgeGas));
        return new HedgeStepInputs(new HedgeCurve(st.Liquidity, st.SqrtPriceLowX96, st.SqrtPriceHighX96), view.OraclePrice, view.VolatilityPerDay, 18, 18,
            account, _s.Perp.HedgeRatio, _s.Perp.TargetMarginRatio, _managed.Settings.RiskAversion, costs, _referenceBase);
    }

    private void Hedge(Market market, int step, PerpTick tick)
    {
        if (Inputs(market, step, tick) is not { } inputs)
        {
            Count("Hedge hold (no inputs)"); // as the keeper: no oracle price or σ from the Decider this step
            return;
        }
        BeforeHedge?.Invoke(inputs, tick);
        var decision = HedgePlanner.Decide(inputs);
        var own = decision is HedgeAdjust a ? a.SizeDelta : 0;
        var poolBase = HedgePlanner.Exposure(inputs).PoolBase;
        var exposure = new PoolExposure<string>(PoolId, BaseTokenId, poolBase, inputs.Account.Size + own, inputs.OraclePrice, inputs.VolatilityPerDay, true, inputs.Account.MaxAbsSize, inputs.Account.MaxAbsSize);
        var urgent = TreasuryRisk.Enforce([exposure], new Dictionary<string, double>()).Trades.Sum(t => t.SizeDelta);
        var order = HedgePlanner.Order(inputs, own + urgent);
        var traded = false;
        if (order is { IsEmpty: false })
        {
            try
            {
                _perp.AdjustHedge(Account, order.SizeDelta, order.MarginDelta, tick);
                market.ChargeGas(step, _s.Perp.HedgeGas);
                _trades++;
                traded = true;
                Count("Hedge trade");
            }
            catch (PerpRevertException)
            {
                Count("Hedge refused"); // the vault's eth_call would catch it: nothing sent
            }
        }
        if (!traded && order is null or { IsEmpty: true }) Count("Hedge hold");
        Log?.Add(new HedgeStepRecord(step, poolBase, (double)_perp.AccountOf(Account).Size / Units.One, decision.TargetSize, decision.Band, traded, _referenceBase));
    }

    /// <summary>The perp's contribution to the strategy's value at <paramref name="step"/>: equity (pending funding included) minus the net margin deposited, quote.</summary>
    public double PerpValue(MarketPath path, int step)
    {
        var tick = Tick(path, step);
        var v = _perp.View(Account, tick);
        var t = _perp.Totals(Account);
        var equity = v.Size.IsZero ? v.Margin : v.Equity;
        return (double)(equity - t.Deposited + t.Withdrawn) / QuoteOne;
    }

    /// <summary>The path's perp figures at <paramref name="step"/> (its end).</summary>
    public HedgeStats Stats(MarketPath path, int step)
    {
        var tick = Tick(path, step);
        var t = _perp.Totals(Account);
        return new HedgeStats(_trades, t.Liquidations, (double)(t.FundingPaid + _perp.PendingFunding(Account, tick)) / QuoteOne,
            (double)t.FeesPaid / QuoteOne, PerpValue(path, step));
    }

    private void Count(string key) => _hedgeDecisions[key] = _hedgeDecisions.GetValueOrDefault(key) + 1;
}
