using System.Numerics;
using TreasuryManager.Ethereum;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Hedging;
using TreasuryManager.Models.Curve;
using TreasuryManager.Models.Risk;

namespace TreasuryManager.Simulation;

/// <summary>One keeper step of the hedge: the pool's base x(P), the perp position after the step, the hedger's target and band (base).</summary>
public sealed record HedgeStepRecord(int Step, double PoolBase, double PerpSize, double Target, double Band, bool Traded);

/// <summary>A hedged strategy's perp figures on one path (quote): trades, margin-only moves, liquidations, funding paid (negative: received), trade fees, and the perp's PnL (equity minus net margin deposited; it includes funding and fees, not gas).</summary>
public sealed record HedgeStats(int Trades, int MarginMoves, int Liquidations, double FundingPaid, double Fees, double PerpPnl);

/// <summary>
/// "hedged": the managed keeper (<see cref="ManagedStrategy"/>) plus a short on an in-memory PerpMarket
/// (<see cref="InMemoryPerp"/>, mark = the path's oracle price, index = its reference price). Each keeper step, after
/// the keeper's own decision, <see cref="Hedger.Decide"/> gets the pool's base x(P) (its base reserve), the position,
/// the oracle's price and σ, η = |x′(P)|·P·σ from the pool's curve at its price, the scenario's γ, and c = the perp's fee + the gas
/// of one hedge at the step's gas price; a HedgeAdjust trades to −h·x(P) (to the wei) and resets the margin to
/// <c>perp.target_margin_ratio</c> of the notional in the same transaction (vault.adjustHedge), charged one hedge's gas
/// like a rebalance. Between trades the margin is topped up or drawn down to the target (one hedge's gas) when the
/// equity leaves [target/2, 2·target]. Margin comes from the treasury's other quote at par, so the strategy's value is
/// the pool's tokens plus the perp's equity minus the net margin deposited. Funding settles every elapsed interval
/// (anyone may call settleFunding; no gas to the treasury); a position below maintenance is liquidated by a third party
/// (penalty lost). "defended": the same with the keeper's toxic-flow defence on (StrategySettings.Defence.Enabled).
/// </summary>
public sealed class HedgedStrategy : IStrategy
{
    /// <summary>The treasury's account on the in-memory perp.</summary>
    public static readonly Address Account = Address.Parse("0x00000000000000000000000000000000000000d1");

    private const int FeedDecimals = 8;

    /// <summary>The perp's margin token has 6 decimals (a USDC-like quote; PerpMarket's prices must stay under 2^128, which an 18-decimal quote at 2,000 per base would not): perp quote figures are raw / 1e6.</summary>
    public const int QuoteDecimals = 6;
    private const double QuoteOne = 1e6;
    private readonly Scenario _s;
    private readonly ManagedStrategy _managed;
    private readonly Dictionary<string, int> _hedgeDecisions = [];
    private InMemoryPerp _perp = null!;
    private int _trades, _marginMoves;
    private BigInteger _ratioNano;

    public HedgedStrategy(Scenario s, string name, bool defended)
    {
        ArgumentNullException.ThrowIfNull(s);
        _s = s;
        Name = name;
        _managed = new ManagedStrategy(s, name, defended ? new DefenceSettings { Enabled = true } : null);
    }

    public string Name { get; }
    public IPoolVenue Main => _managed.Main;

    /// <summary>The keeper part (its settings and last decision).</summary>
    public ManagedStrategy Managed => _managed;

    public InMemoryPerp Perp => _perp;

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
        _perp = new InMemoryPerp(PerpParams.From(_s.Perp), path.Timestamp(0));
        _ratioNano = new BigInteger(Math.Round(_s.Perp.TargetMarginRatio * 1e9));
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

    private void Hedge(Market market, int step, PerpTick tick)
    {
        var path = market.Path;
        ref readonly var st = ref _managed.Main.State;
        var price = path.OraclePrice[step];
        var poolBase = Units.Human(st.Reserve0);
        var size = _perp.AccountOf(Account).Size;
        var sigma = path.OracleVolatilityAnnual[step] / Math.Sqrt(365);
        // η = |x′(P)|·P·σ on the pool's curve at the pool's own price (x(P) is its base reserve there; at the oracle's
        // price a lagging pool would look out of range, η = 0, and the band would close)
        var poolPrice = Units.Price(st.SqrtPriceX96);
        var eta = st.Liquidity.IsZero ? 0
            : Math.Abs(PositionGreeks.Gamma((double)st.Liquidity / Units.One, poolPrice, Units.Price(st.SqrtPriceLowX96), Units.Price(st.SqrtPriceHighX96))) * poolPrice * sigma;
        var costs = new HedgeCosts(_s.Perp.FeePips / 1e6, market.GasCostQuote(step, _s.Perp.HedgeGas));
        var decision = Hedger.Decide(new HedgeInputs(poolBase, (double)size / Units.One, price, sigma, eta, _managed.Settings.RiskAversion, costs), _s.Perp.HedgeRatio);
        var traded = false;
        if (decision is HedgeAdjust adjust)
        {
            var delta = new BigInteger(Math.Round(adjust.TargetSize * Units.One)) - size;
            if (!delta.IsZero)
            {
                TradeToTarget(size, delta, tick);
                market.ChargeGas(step, _s.Perp.HedgeGas);
                _trades++;
                traded = true;
                Count("Hedge trade");
            }
        }
        if (!traded)
        {
            Count("Hedge hold");
            if (KeepMargin(size, tick))
            {
                market.ChargeGas(step, _s.Perp.HedgeGas);
                _marginMoves++;
                Count("Hedge margin");
            }
        }
        Log?.Add(new HedgeStepRecord(step, poolBase, (double)_perp.AccountOf(Account).Size / Units.One, decision.TargetSize, decision.Band, traded));
    }

    /// <summary>ceil(target ratio × notional of <paramref name="size"/> at the mark).</summary>
    private BigInteger TargetMargin(BigInteger size, BigInteger mark)
    {
        var notional = BigInteger.Abs(InMemoryPerp.Value(size, mark));
        var product = notional * _ratioNano;
        var q = BigInteger.DivRem(product, 1_000_000_000, out var r);
        return r.IsZero ? q : q + 1;
    }

    /// <summary>One adjustHedge: deposit what the new position's target margin and the fee need, trade, withdraw the excess.</summary>
    private void TradeToTarget(BigInteger size, BigInteger delta, PerpTick tick)
    {
        var target = TargetMargin(size + delta, tick.Mark);
        var v = _perp.View(Account, tick);
        var equity = size.IsZero ? v.Margin : v.Equity;
        var deposit = target + _perp.Fee(delta, tick.Mark) - equity;
        if (deposit.Sign > 0) _perp.DepositMargin(Account, deposit);
        _perp.Trade(Account, delta, tick);
        var margin = _perp.AccountOf(Account).Margin; // the position was just marked: equity = margin
        if (margin > target) TryWithdraw(margin - target, tick);
    }

    /// <summary>Tops the margin up to, or draws it down to, the target when the equity left [target/2, 2·target]; true if it moved.</summary>
    private bool KeepMargin(BigInteger size, PerpTick tick)
    {
        if (size.IsZero) return false;
        var v = _perp.View(Account, tick);
        var target = TargetMargin(size, tick.Mark);
        if (v.Equity * 2 >= target && v.Equity <= target * 2) return false;
        if (v.Equity < target)
        {
            _perp.DepositMargin(Account, target - v.Equity);
            return true;
        }
        var amount = BigInteger.Min(v.Equity - target, v.Margin);
        return amount.Sign > 0 && TryWithdraw(amount, tick);
    }

    private bool TryWithdraw(BigInteger amount, PerpTick tick)
    {
        try
        {
            _perp.WithdrawMargin(Account, amount, tick);
            return true;
        }
        catch (PerpRevertException)
        {
            return false; // the vault's eth_call would catch it: nothing sent
        }
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
        return new HedgeStats(_trades, _marginMoves, t.Liquidations, (double)(t.FundingPaid + _perp.PendingFunding(Account, tick)) / QuoteOne,
            (double)t.FeesPaid / QuoteOne, PerpValue(path, step));
    }

    private void Count(string key) => _hedgeDecisions[key] = _hedgeDecisions.GetValueOrDefault(key) + 1;
}
