namespace TreasuryManager.Strategy.Risk;

/// <summary>
/// One pool's exposure (<typeparamref name="TId"/> identifies pools and tokens: the chain address in the keeper, a name in the backtest), in whole base tokens: x(P) of its curve at the oracle price, its hedge position (after the
/// trades already decided this cycle), and how far that position may go each way on its market.
/// </summary>
/// <param name="Hedged">Whether the keeper hedges this pool (a vault hedge policy and a ratio &gt; 0); unhedged pools count in the net but take no trades.</param>
/// <param name="MaxShort">The most base the position may be short (≥ 0): maxNotional / mark.</param>
/// <param name="MaxLong">The most base the position may be long (≥ 0).</param>
public sealed record PoolExposure<TId>(TId Pool, TId BaseToken, double PoolBase, double PerpSize, double Price, double VolatilityPerDay, bool Hedged, double MaxShort, double MaxLong)
{
    public double NetDelta => PoolBase + PerpSize;
}

/// <summary>A base token's treasury-wide figures: net delta (base), value at risk z·σ·P·|net|·√H (quote), the limit if any.</summary>
public sealed record TokenRisk<TId>(TId Token, int Pools, double NetDelta, double ValueAtRisk, double? Limit)
{
    public bool Breached => Limit is { } l && Math.Abs(NetDelta) > l;
}

/// <summary>An extra hedge trade the limit rule asks of one pool (base, signed).</summary>
public sealed record RiskTrade<TId>(TId Pool, TId Token, double SizeDelta);

/// <summary>
/// A token still past its limit after every hedged pool of it has traded all its market allows: the owner must act
/// (raise the pools' hedge maxNotional, add a hedge market, or withdraw base from the pools).
/// </summary>
public sealed record RiskBreach<TId>(TId Token, double NetDelta, double Limit, double NetAfter, string Detail);

/// <summary>The limit rule's answer: the trades, and the tokens it could not bring back within their limit.</summary>
public sealed record RiskEnforcement<TId>(IReadOnlyList<RiskTrade<TId>> Trades, IReadOnlyList<RiskBreach<TId>> Breaches);

/// <summary>
/// Treasury-wide risk (issue 7, item 4a). Pure: no I/O. The pools are grouped by base token; per token the net delta
/// is Σ x(P) + Σ hedge positions. A token whose |net| exceeds its limit is hedged urgently (ignoring the band): the
/// excess, plus <see cref="LimitHeadroom"/> of the limit so that the next block's small moves do not trigger again, is
/// spread over the token's hedged pools in proportion to the room each has on its market in the needed direction
/// (so no pool is asked past its maxNotional); when the room is not enough, every pool trades all its room and the
/// token is reported as a breach.
/// </summary>
public static class TreasuryRisk
{
    /// <summary>The urgent hedge aims at |net| = (1 − this)·limit, inside the limit.</summary>
    public const double LimitHeadroom = 0.05;

    public static IReadOnlyList<TokenRisk<TId>> Aggregate<TId>(IReadOnlyList<PoolExposure<TId>> pools, IReadOnlyDictionary<TId, double> limits, double z, double horizonDays) where TId : notnull
    {
        ArgumentNullException.ThrowIfNull(pools);
        ArgumentNullException.ThrowIfNull(limits);
        return pools.GroupBy(p => p.BaseToken).Select(g =>
        {
            var net = g.Sum(p => p.NetDelta);
            // the tokens' pools share one price; σ and P are averaged over them (they read the same feeds in practice)
            var price = g.Average(p => p.Price);
            var sigma = g.Average(p => p.VolatilityPerDay);
            var var = double.IsFinite(sigma) ? z * sigma * price * Math.Abs(net) * Math.Sqrt(horizonDays) : double.NaN;
            return new TokenRisk<TId>(g.Key, g.Count(), net, var, limits.TryGetValue(g.Key, out var l) ? l : null);
        }).ToArray();
    }

    public static RiskEnforcement<TId> Enforce<TId>(IReadOnlyList<PoolExposure<TId>> pools, IReadOnlyDictionary<TId, double> limits) where TId : notnull
    {
        ArgumentNullException.ThrowIfNull(pools);
        ArgumentNullException.ThrowIfNull(limits);
        var trades = new List<RiskTrade<TId>>();
        var breaches = new List<RiskBreach<TId>>();
        foreach (var g in pools.GroupBy(p => p.BaseToken))
        {
            if (!limits.TryGetValue(g.Key, out var limit)) continue;
            if (!(limit > 0)) throw new ArgumentOutOfRangeException(nameof(limits), limit, $"the limit of token {g.Key} must be positive");
            var net = g.Sum(p => p.NetDelta);
            if (Math.Abs(net) <= limit) continue;
            var sign = Math.Sign(net); // +1: too long, the hedges must sell
            var needed = Math.Abs(net) - (1 - LimitHeadroom) * limit;
            // room each hedged pool has in the needed direction (never negative: a position already past its room takes nothing)
            var rooms = g.Select(p => (Pool: p, Room: !p.Hedged ? 0 : Math.Max(0, sign > 0 ? p.PerpSize + p.MaxShort : p.MaxLong - p.PerpSize))).ToArray();
            var total = rooms.Sum(r => r.Room);
            var traded = 0.0;
            if (total > 0)
            {
                var share = Math.Min(1, needed / total);
                foreach (var (p, room) in rooms)
                {
                    if (room <= 0) continue;
                    var size = Math.Min(room, room * share);
                    traded += size;
                    trades.Add(new RiskTrade<TId>(p.Pool, g.Key, -sign * size));
                }
            }
            var after = net - sign * traded;
            if (Math.Abs(after) > limit)
                breaches.Add(new RiskBreach<TId>(g.Key, net, limit, after,
                    $"token {g.Key}: net delta {net:G6} base is past its limit ±{limit:G6}; its hedged pools' markets allow only {traded:G6} base more, leaving {after:G6}. " +
                    "The owner must raise the pools' hedge maxNotional (setHedgePolicy), add a hedge market, or withdraw base from the pools"));
        }
        return new RiskEnforcement<TId>(trades, breaches);
    }
}
