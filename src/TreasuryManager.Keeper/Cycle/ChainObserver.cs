using System.Numerics;
using System.Text.Json;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Strategy.Decisions;
using TreasuryManager.Strategy.Inputs;

namespace TreasuryManager.Keeper.Cycle;

/// <summary>
/// The Observe step: every managed pool's (a fleet keeper: every pool it holds) state, its policy in the vault, its feeds' latest rounds, its TWAP over
/// the policy's window and its swaps since the last cycle (a Uniswap v3 pool's: the treasury's pro-rata part), plus the latest block and the base fee — in ONE JSON-RPC
/// batch per cycle. A read that fails marks only its own pool (<see cref="PoolObservation.Error"/>). Feed
/// addresses come from the previous cycle's policies; when the owner changes a feed, that cycle pays one extra
/// batch to learn the new feed's decimals.
/// </summary>
public sealed class ChainObserver
{
    private static readonly AbiEvent SwapEvent = ManagedPool.Abi.GetEvent("Swap");
    private static readonly byte[] V3SwapTopic = UniswapV3Venue.SwapEvent.Topic0;

    /// <summary>A pool's reads at start: its tokens, and the vault's policy (a ManagedPool) or the manager's records (a v3 pool).</summary>
    private sealed record SetupReads(RpcBatch.Item<Address> Token0, RpcBatch.Item<Address> Token1, RpcBatch.Item<TreasuryVault.PolicyView>? VaultPolicy, V3SetupReads? UniswapV3);

    /// <summary>A v3 pool's reads at start: the manager's position (registered, tick spacing) and policy, the pool's fee tier.</summary>
    private sealed record V3SetupReads(RpcBatch.Item<UniswapV3PositionManager.PositionView> Position, RpcBatch.Item<UniswapV3PositionManager.UniswapV3Policy> Policy, RpcBatch.Item<int> Fee);

    /// <summary>A ManagedPool's reads in the cycle's batch.</summary>
    private sealed record ManagedPoolReads(RpcBatch.Item<ManagedPool.PoolState> State, RpcBatch.Item<TreasuryVault.PolicyView> Policy, RpcBatch.Item<BigInteger> Twap);

    /// <summary>A Uniswap v3 pool's reads in the cycle's batch: the pool's slot0, liquidity and observe([window, 0]), the
    /// manager's position and policy.</summary>
    private sealed record V3Reads(
        RpcBatch.Item<IUniswapV3PoolMinimal.Slot0Result> Slot0, RpcBatch.Item<BigInteger> Liquidity, RpcBatch.Item<IUniswapV3PoolMinimal.ObserveResult> Observe,
        RpcBatch.Item<UniswapV3PositionManager.PositionView> Position, RpcBatch.Item<UniswapV3PositionManager.UniswapV3Policy> Policy, uint TwapWindow)
    {
        public static V3Reads Add(RpcBatch batch, Address pool, Address manager, uint twapWindow) => new(
            batch.Add(Call(pool, IUniswapV3PoolMinimal.EncodeSlot0()), r => IUniswapV3PoolMinimal.DecodeSlot0(Bytes(r))),
            batch.Add(Call(pool, IUniswapV3PoolMinimal.EncodeLiquidity()), r => IUniswapV3PoolMinimal.DecodeLiquidity(Bytes(r))),
            batch.Add(Call(pool, IUniswapV3PoolMinimal.EncodeObserve([twapWindow, BigInteger.Zero])), r => IUniswapV3PoolMinimal.DecodeObserve(Bytes(r))),
            batch.Add(Call(manager, UniswapV3PositionManager.EncodePositionOf(pool)), r => UniswapV3PositionManager.DecodePositionOf(Bytes(r))),
            batch.Add(Call(manager, UniswapV3PositionManager.EncodePolicyOf(pool)), r => UniswapV3PositionManager.DecodePolicyOf(Bytes(r))),
            twapWindow);
    }

    private readonly EthClient _eth;
    private readonly Address _vault;
    private readonly IReadOnlyList<PoolIdentity> _pools;
    private readonly Dictionary<Address, int> _feedDecimals = new();
    private readonly Dictionary<Address, (Address Price, Address Volatility, uint TwapWindow)> _feedsOf = new();
    private readonly HashSet<Address> _hedged;
    private readonly Dictionary<Address, Address> _hedgeMarketOf = new();
    private long _lastLogBlock;

    private readonly int _historyBlocks;

    private ChainObserver(EthClient eth, Address vault, IReadOnlyList<PoolIdentity> pools, long firstLogBlock, int historyBlocks, IEnumerable<Address>? hedged)
    {
        _historyBlocks = historyBlocks;
        _eth = eth;
        _vault = vault;
        _pools = pools;
        _lastLogBlock = firstLogBlock - 1;
        _hedged = hedged is null ? [] : [.. hedged];
    }

    /// <summary>The pools whose hedge the Observe batch reads (the settings' Hedge:Ratio &gt; 0).</summary>
    public IReadOnlySet<Address> HedgedPools => _hedged;

    public IReadOnlyList<PoolIdentity> Pools => _pools;
    public Address Vault => _vault;

    /// <summary>The UniswapV3PositionManager holding the vault's v3 positions (null when no pool is on Uniswap v3).</summary>
    public Address? UniswapV3Manager { get; private init; }

    /// <summary>
    /// Reads what never changes (tokens and their decimals, each policy's feeds and their decimals; a v3 pool's fee tier
    /// and tick spacing) in two batches and checks every ManagedPool is registered in the vault, and every Uniswap v3 pool
    /// in the vault's UniswapV3PositionManager. Throws <see cref="KeeperSetupException"/> naming the pool and the fix.
    /// </summary>
    /// <param name="hedgedPools">Pools whose hedge (vault policy, market parameters, the vault's account) each batch also reads: four calls per pool.</param>
    /// <param name="uniswapV3">The pools that are Uniswap v3 pools and the manager holding the vault's positions in them
    /// (each must be registered there); the other pools are ManagedPools.</param>
    public static async Task<ChainObserver> CreateAsync(EthClient eth, Address vault, IReadOnlyList<(Address Pool, string Label)> pools, int historyBlocks, CancellationToken ct = default, IEnumerable<Address>? hedgedPools = null,
        UniswapV3Pools? uniswapV3 = null)
    {
        if (pools.Count == 0) throw new KeeperSetupException("no pool to manage; list them under Pools in the configuration");
        var code = await eth.GetCodeAsync(vault, ct: ct).ConfigureAwait(false);
        if (code.Length == 0) throw new KeeperSetupException($"there is no contract at the vault address {vault} on {eth.Rpc.Endpoint}; check Vault in the configuration and the RPC URL");
        bool IsV3(Address pool) => uniswapV3 is not null && uniswapV3.Pools.Contains(pool);
        var first = new RpcBatch();
        var blockNumber = first.Add(new RpcRequest("eth_blockNumber"), r => Quantity.DecodeLong(r.GetResult().GetString()!, "block number"));
        var managerVault = uniswapV3 is null ? null : first.Add(Call(uniswapV3.Manager, UniswapV3PositionManager.EncodeVault()), r => UniswapV3PositionManager.DecodeVault(Bytes(r)));
        var reads = pools.Select(p => IsV3(p.Pool)
            ? new SetupReads(
                first.Add(Call(p.Pool, IUniswapV3PoolMinimal.EncodeToken0()), r => IUniswapV3PoolMinimal.DecodeToken0(Bytes(r))),
                first.Add(Call(p.Pool, IUniswapV3PoolMinimal.EncodeToken1()), r => IUniswapV3PoolMinimal.DecodeToken1(Bytes(r))),
                null,
                new V3SetupReads(
                    first.Add(Call(uniswapV3!.Manager, UniswapV3PositionManager.EncodePositionOf(p.Pool)), r => UniswapV3PositionManager.DecodePositionOf(Bytes(r))),
                    first.Add(Call(uniswapV3.Manager, UniswapV3PositionManager.EncodePolicyOf(p.Pool)), r => UniswapV3PositionManager.DecodePolicyOf(Bytes(r))),
                    first.Add(Call(p.Pool, IUniswapV3PoolMinimal.EncodeFee()), r => (int)IUniswapV3PoolMinimal.DecodeFee(Bytes(r)))))
            : new SetupReads(
                first.Add(Call(p.Pool, ManagedPool.EncodeToken0()), r => ManagedPool.DecodeToken0(Bytes(r))),
                first.Add(Call(p.Pool, ManagedPool.EncodeToken1()), r => ManagedPool.DecodeToken1(Bytes(r))),
                first.Add(Call(vault, TreasuryVault.EncodePolicyOf(p.Pool)), r => TreasuryVault.DecodePolicyOf(Bytes(r))),
                null)).ToArray();
        var answers = await first.SendAsync(eth.Rpc, ct).ConfigureAwait(false);
        var block = blockNumber.Read(answers);
        if (managerVault is not null)
        {
            Address governedBy;
            try
            {
                governedBy = managerVault.Read(answers);
            }
            catch (Exception e) when (e is RpcException or EthereumFormatException)
            {
                throw new KeeperSetupException($"there is no UniswapV3PositionManager at UniswapV3Manager {uniswapV3!.Manager} on {eth.Rpc.Endpoint} ({e.Message}); check UniswapV3Manager in the configuration");
            }
            if (governedBy != vault)
                throw new KeeperSetupException($"the UniswapV3PositionManager at {uniswapV3!.Manager} belongs to the vault {governedBy}, not to Vault {vault}; check UniswapV3Manager and Vault in the configuration");
        }
        var tokens = new List<(Address T0, Address T1)>();
        var feeds = new List<(Address Price, Address Volatility, uint TwapWindow)>();
        var v3Identities = new Dictionary<Address, UniswapV3PoolIdentity>();
        for (var i = 0; i < pools.Count; i++)
        {
            var (pool, label) = pools[i];
            try
            {
                tokens.Add((reads[i].Token0.Read(answers), reads[i].Token1.Read(answers)));
            }
            catch (Exception e) when (e is RpcException or EthereumFormatException)
            {
                throw new KeeperSetupException(IsV3(pool)
                    ? $"pool {label} ({pool}) is not a Uniswap v3 pool: {e.Message}; check Pools (its Address and Venue) in the configuration"
                    : $"pool {label} ({pool}) is not a ManagedPool: {e.Message}; check Pools (its Address, and Venue UniswapV3 for a Uniswap v3 pool) in the configuration");
            }
            if (reads[i].UniswapV3 is { } v3)
            {
                var position = v3.Position.Read(answers);
                if (!position.Registered)
                    throw new KeeperSetupException($"Uniswap v3 pool {label} ({pool}) is not registered in the UniswapV3PositionManager {uniswapV3!.Manager}; the owner must call registerPool(pool, policy) on the manager, or remove the pool from Pools");
                var policy = v3.Policy.Read(answers);
                v3Identities[pool] = new UniswapV3PoolIdentity(uniswapV3!.Manager, v3.Fee.Read(answers), (int)position.TickSpacing);
                feeds.Add((policy.Params.PriceFeed, policy.Params.VolatilityFeed, (uint)policy.Params.TwapWindow));
                continue;
            }
            TreasuryVault.PolicyView vaultPolicy;
            try
            {
                vaultPolicy = reads[i].VaultPolicy!.Read(answers);
            }
            catch (Exception e) when (e is RpcException or EthereumFormatException)
            {
                throw new KeeperSetupException($"the contract at Vault {vault} does not answer as a TreasuryVault (policyOf: {e.Message}); check Vault in the configuration (`treasury deploy` writes it)");
            }
            if (!vaultPolicy.Registered)
                throw new KeeperSetupException($"pool {label} ({pool}) is not registered in the vault {vault}; the owner must call registerPool, or remove it from Pools");
            feeds.Add((vaultPolicy.Params.PriceFeed, vaultPolicy.Params.VolatilityFeed, (uint)vaultPolicy.Params.TwapWindow));
        }

        // the tokens' metadata through the standard ERC-20 metadata interface
        var second = new RpcBatch();
        var decimals = tokens.Select(t => (
            Base: second.Add(Call(t.T0, IERC20Metadata.EncodeDecimals()), r => (int)IERC20Metadata.DecodeDecimals(Bytes(r))),
            Quote: second.Add(Call(t.T1, IERC20Metadata.EncodeDecimals()), r => (int)IERC20Metadata.DecodeDecimals(Bytes(r))))).ToArray();
        var metadata = await second.SendAsync(eth.Rpc, ct).ConfigureAwait(false);
        var identities = new List<PoolIdentity>();
        for (var i = 0; i < pools.Count; i++)
            identities.Add(new PoolIdentity(pools[i].Pool, pools[i].Label, tokens[i].T0, tokens[i].T1, decimals[i].Base.Read(metadata), decimals[i].Quote.Read(metadata))
            {
                UniswapV3 = v3Identities.GetValueOrDefault(pools[i].Pool),
            });
        var observer = new ChainObserver(eth, vault, identities, Math.Max(0, block - historyBlocks), historyBlocks, hedgedPools) { UniswapV3Manager = uniswapV3?.Manager };
        for (var i = 0; i < pools.Count; i++) observer._feedsOf[pools[i].Pool] = feeds[i];
        await observer.LearnFeedDecimalsAsync(ct).ConfigureAwait(false);
        await observer.LearnHedgeMarketsAsync(ct).ConfigureAwait(false);
        return observer;
    }

    /// <summary>One cycle's reads of every configured pool (one batch; a second only when a feed changed).</summary>
    public Task<ChainObservation> ObserveAsync(CancellationToken ct = default) => ObserveAsync(null, ct);

    /// <summary>
    /// One cycle's reads (one batch; a second only when a feed changed) of the configured pools in
    /// <paramref name="only"/> — a fleet keeper's held pools — or of every configured pool when it is null. The pools
    /// left out cost nothing: no state, policy, TWAP or hedge read, no swap log, and only the observed pools' feeds.
    /// Their swaps in the blocks read are skipped for good (the swap cursor is shared), so a pool observed again later
    /// sees only the swaps from then on. With no pool to observe, only the block and the fees are read and the swap
    /// cursor stays the configured history window behind the block, so the pools a keeper takes next see that history.
    /// </summary>
    public async Task<ChainObservation> ObserveAsync(IReadOnlySet<Address>? only, CancellationToken ct = default)
    {
        var pools = only is null ? _pools : _pools.Where(p => only.Contains(p.Pool)).ToArray();
        var roundTrips = 1;
        var batch = new RpcBatch();
        var header = batch.Add(new RpcRequest("eth_getBlockByNumber", "latest", false), r => BlockHeader.FromJson(r.GetResult()));
        var feeHistory = batch.Add(new RpcRequest("eth_feeHistory", "0x1", "latest", Array.Empty<double>()),
            r => r.GetResult().GetProperty("baseFeePerGas").EnumerateArray().Select(e => Quantity.Decode(e.GetString()!, "base fee")).ToArray());
        // no address would mean every contract's logs: with no pool to observe, no log read
        var logs = pools.Count == 0 ? null : batch.Add(new RpcRequest("eth_getLogs", new Dictionary<string, object>
        {
            ["address"] = pools.Select(p => p.Pool.ToLowerHex()).ToArray(),
            ["fromBlock"] = Quantity.Encode(_lastLogBlock + 1),
            ["toBlock"] = "latest",
            // one request for both venues' swaps: topic0 is ManagedPool's Swap or Uniswap v3's
            ["topics"] = pools.Any(p => p.UniswapV3 is not null)
                ? new object[] { new[] { SwapEvent.Topic0Hex, UniswapV3Venue.SwapEvent.Topic0Hex } }
                : new object[] { SwapEvent.Topic0Hex },
        }), r => r.GetResult().EnumerateArray().Select(LogEntry.FromJson).ToArray());
        var feeds = pools.Where(p => _feedsOf.ContainsKey(p.Pool)).Select(p => _feedsOf[p.Pool])
            .SelectMany(f => new[] { f.Price, f.Volatility }).Where(a => a != default).Distinct().ToArray();
        var poolReads = pools.Select(pool =>
        {
            var twapWindow = _feedsOf.TryGetValue(pool.Pool, out var f) ? f.TwapWindow : 600u;
            if (pool.UniswapV3 is { } v3) return (ManagedPool: (ManagedPoolReads?)null, UniswapV3: V3Reads.Add(batch, pool.Pool, v3.Manager, twapWindow));
            return (ManagedPool: new ManagedPoolReads(
                batch.Add(Call(pool.Pool, ManagedPool.EncodeGetState()), r => ManagedPool.DecodeGetState(Bytes(r))),
                batch.Add(Call(_vault, TreasuryVault.EncodePolicyOf(pool.Pool)), r => TreasuryVault.DecodePolicyOf(Bytes(r))),
                batch.Add(Call(pool.Pool, ManagedPool.EncodeConsult(twapWindow)), r => ManagedPool.DecodeConsult(Bytes(r)).MeanLogPrice)), UniswapV3: (V3Reads?)null);
        }).ToArray();
        // the vault's pause stops v3 rebalances (a ManagedPool's state carries its own): one read for every v3 pool
        var vaultPaused = pools.Any(p => p.UniswapV3 is not null) ? batch.Add(Call(_vault, TreasuryVault.EncodePaused()), r => TreasuryVault.DecodePaused(Bytes(r))) : null;
        var feedReads = feeds.Select(feed => batch.Add(Call(feed, OracleFeed.EncodeLatestRoundData()), r => OracleFeed.DecodeLatestRoundData(Bytes(r)))).ToArray();
        // hedged pools: the policy, and on the market known from the previous read its parameters and the vault's account
        var hedgeReads = new Dictionary<Address, (RpcBatch.Item<TreasuryVault.HedgePolicy> Policy, Address Market, Hedging.VaultPerpHedgeVenue.AccountReads? Account)>();
        foreach (var pool in pools)
        {
            if (!_hedged.Contains(pool.Pool)) continue;
            var market = _hedgeMarketOf.TryGetValue(pool.Pool, out var m) ? m : Address.Zero;
            var policy = batch.Add(Call(_vault, TreasuryVault.EncodeHedgePolicyOf(pool.Pool)), r => TreasuryVault.DecodeHedgePolicyOf(Bytes(r)));
            hedgeReads[pool.Pool] = (policy, market, market == Address.Zero ? null : Hedging.VaultPerpHedgeVenue.AddReads(batch, market, _vault));
        }

        var responses = await batch.SendAsync(_eth.Rpc, ct).ConfigureAwait(false);
        var block = header.Read(responses);
        var baseFees = feeHistory.Read(responses);
        var baseFee = block.BaseFeePerGas ?? (baseFees.Length > 0 ? baseFees[0] : BigInteger.Zero);
        var nextBaseFee = baseFees.Length > 0 ? baseFees[^1] : baseFee;

        // swaps (a failed log read is not fatal: the estimators just miss this cycle's swaps, and the next cycle re-reads them)
        var swaps = new Dictionary<Address, List<SwapSeen>>();
        var v3Swaps = new Dictionary<Address, List<UniswapV3Venue.PoolSwap>>();
        if (logs is not null && logs.Raw(responses).Error is null)
        {
            foreach (var log in logs.Read(responses))
            {
                if (log.Removed || log.BlockNumber > block.Number) continue;
                if (log.Topics.Count > 0 && log.Topics[0].AsSpan().SequenceEqual(V3SwapTopic))
                {
                    if (!v3Swaps.TryGetValue(log.Address, out var v3List)) v3Swaps[log.Address] = v3List = [];
                    v3List.Add(UniswapV3Venue.DecodeSwap(log.BlockNumber, log.Topics, log.Data));
                    continue;
                }
                if (!swaps.TryGetValue(log.Address, out var list)) swaps[log.Address] = list = [];
                var decoded = SwapEvent.DecodeLog(log.Topics, log.Data);
                list.Add(new SwapSeen(log.BlockNumber, (bool)decoded.Arguments[2]!, (BigInteger)decoded.Arguments[3]!, (BigInteger)decoded.Arguments[4]!, (BigInteger)decoded.Arguments[6]!));
            }
            _lastLogBlock = block.Number;
        }
        else if (logs is null)
            _lastLogBlock = Math.Max(_lastLogBlock, block.Number - _historyBlocks - 1); // a keeper holding nothing stays a history window behind

        var rounds = new Dictionary<Address, (FeedRound? Round, string? Error)>();
        for (var i = 0; i < feeds.Length; i++)
        {
            var r = feedReads[i].Raw(responses);
            if (r.Error is not null) { rounds[feeds[i]] = (null, $"feed {feeds[i]}: {r.Error.Message}"); continue; }
            try
            {
                var round = feedReads[i].Read(responses);
                rounds[feeds[i]] = _feedDecimals.TryGetValue(feeds[i], out var decimals)
                    ? (new FeedRound(feeds[i], round.Answer, (long)round.UpdatedAt, decimals), null)
                    : (null, $"feed {feeds[i]}: its decimals() could not be read");
            }
            catch (EthereumFormatException e)
            {
                rounds[feeds[i]] = (null, $"feed {feeds[i]}: {e.Message}");
            }
        }

        var changedFeeds = false;
        var observations = new PoolObservation[pools.Count];
        for (var p = 0; p < pools.Count; p++)
        {
            var identity = pools[p];
            var poolSwaps = swaps.TryGetValue(identity.Pool, out var s) ? (IReadOnlyList<SwapSeen>)s : [];
            if (poolReads[p].UniswapV3 is { } v3Reads)
            {
                (observations[p], var changed) = ObserveUniswapV3(identity, v3Reads, vaultPaused!, responses, rounds,
                    v3Swaps.TryGetValue(identity.Pool, out var seen) ? seen : []);
                changedFeeds |= changed;
                continue;
            }
            var reads = poolReads[p].ManagedPool!;
            try
            {
                var state = reads.State.Read(responses);
                var policy = reads.Policy.Read(responses);
                BigInteger? twap = reads.Twap.Raw(responses).Error is null ? reads.Twap.Read(responses) : null;
                var priceFeed = policy.Params.PriceFeed;
                var volFeed = policy.Params.VolatilityFeed;
                changedFeeds |= Remember(identity.Pool, priceFeed, volFeed, (uint)policy.Params.TwapWindow);
                var (price, priceError) = rounds.TryGetValue(priceFeed, out var pr) ? pr : (null, "its price feed changed this cycle");
                (FeedRound? Round, string? Error) vol = volFeed == default ? (null, null) : rounds.TryGetValue(volFeed, out var vr) ? vr : (null, "its volatility feed changed this cycle");
                var (twapError, twapReason) = twap is null ? ExplainConsult(reads.Twap.Raw(responses).Error!, (long)policy.Params.TwapWindow) : (null, HoldReason.ObserveFailed);
                var error = priceError ?? vol.Error ?? twapError;
                observations[p] = new PoolObservation(identity, state, policy, price, vol.Round, twap, poolSwaps, error)
                {
                    ErrorReason = priceError is null && vol.Error is null && twapError is not null ? twapReason : HoldReason.ObserveFailed,
                    Hedge = hedgeReads.TryGetValue(identity.Pool, out var h) ? ReadHedge(identity, responses, h.Policy, h.Market, h.Account) : null,
                };
            }
            catch (Exception e) when (e is RpcException or EthereumFormatException)
            {
                observations[p] = new PoolObservation(identity, null, null, null, null, null, poolSwaps, $"reading pool {identity.Label} failed: {e.Message}");
            }
        }
        if (changedFeeds)
        {
            await LearnFeedDecimalsAsync(ct).ConfigureAwait(false);
            roundTrips++;
        }
        return new ChainObservation(block.Number, block.Timestamp.ToUnixTimeSeconds(), baseFee, nextBaseFee, observations, roundTrips)
        {
            Requests = batch.Requests.Count,
        };
    }

    /// <summary>A v3 pool's observation from its reads: the Strategy's TWAP from the mean tick, the feeds' rounds; true when
    /// its policy names other feeds than the last cycle's (their decimals are then learnt).</summary>
    private (PoolObservation Observation, bool ChangedFeeds) ObserveUniswapV3(PoolIdentity identity, V3Reads reads, RpcBatch.Item<bool> vaultPaused, RpcBatch.Responses responses,
        Dictionary<Address, (FeedRound? Round, string? Error)> rounds, IReadOnlyList<UniswapV3Venue.PoolSwap> poolSwaps)
    {
        IReadOnlyList<SwapSeen> swaps = [];
        try
        {
            // the treasury's part of the shared pool's swaps (a ManagedPool's are all the treasury's)
            var position = reads.Position.Read(responses);
            swaps = UniswapV3Venue.TreasuryPart(poolSwaps, position);
            var policy = reads.Policy.Read(responses);
            var p = policy.Params;
            var changed = Remember(identity.Pool, p.PriceFeed, p.VolatilityFeed, (uint)p.TwapWindow);
            var observe = reads.Observe.Raw(responses).Error;
            int? twapTick = observe is null ? UniswapV3Venue.MeanTick(reads.Observe.Read(responses).TickCumulatives, reads.TwapWindow) : null;
            var reading = new UniswapV3Reading(reads.Slot0.Read(responses), reads.Liquidity.Read(responses), position, policy,
                vaultPaused.Read(responses), twapTick);
            var (price, priceError) = rounds.TryGetValue(p.PriceFeed, out var pr) ? pr : (null, "its price feed changed this cycle");
            (FeedRound? Round, string? Error) vol = p.VolatilityFeed == default ? (null, null) : rounds.TryGetValue(p.VolatilityFeed, out var vr) ? vr : (null, "its volatility feed changed this cycle");
            var (twapError, twapReason) = observe is null ? (null, HoldReason.ObserveFailed) : ExplainObserve(observe, (long)p.TwapWindow);
            // the mean tick over a window the policy changed this cycle is not the policy's TWAP: the next cycle reads it
            if (twapError is null && reads.TwapWindow != (uint)p.TwapWindow) (twapError, twapReason) = ("its TWAP window changed this cycle", HoldReason.ObserveFailed);
            return (new PoolObservation(identity, null, null, price, vol.Round, twapTick is { } tick ? UniswapV3Venue.LogPriceOfTick(tick) : null, swaps, priceError ?? vol.Error ?? twapError)
            {
                ErrorReason = priceError is null && vol.Error is null && twapError is not null ? twapReason : HoldReason.ObserveFailed,
                UniswapV3 = reading,
            }, changed);
        }
        catch (Exception e) when (e is RpcException or EthereumFormatException)
        {
            return (new PoolObservation(identity, null, null, null, null, null, swaps, $"reading Uniswap v3 pool {identity.Label} failed: {e.Message}"), false);
        }
    }

    /// <summary>Why a v3 pool's observe([window, 0]) failed: "OLD" means its observations do not reach back a window yet.</summary>
    private static (string Error, HoldReason Reason) ExplainObserve(RpcException error, long window) =>
        RevertExplainer.Decode(error) is { Kind: RevertKind.ErrorString, Reason: "OLD" }
            ? ($"the pool's observations do not reach back the policy's {window} s TWAP window yet (observe reverts OLD); wait, or grow the pool's observation cardinality", HoldReason.TwapNotCovered)
            : ($"observe([{window}, 0]) failed: {RevertExplainer.Explain(error)}", HoldReason.ObserveFailed);

    private PerpHedgeObservation ReadHedge(PoolIdentity identity, RpcBatch.Responses responses, RpcBatch.Item<TreasuryVault.HedgePolicy> policyRead, Address market, Hedging.VaultPerpHedgeVenue.AccountReads? account)
    {
        var answer = policyRead.Raw(responses);
        if (answer.Error is not null) return new PerpHedgeObservation(null, null, $"reading the hedge policy of {identity.Label} failed: {answer.Error.Message}");
        TreasuryVault.HedgePolicy policy;
        try
        {
            policy = policyRead.Read(responses);
        }
        catch (EthereumFormatException e)
        {
            return new PerpHedgeObservation(null, null, $"reading the hedge policy of {identity.Label} failed: {e.Message}");
        }
        _hedgeMarketOf[identity.Pool] = policy.Market;
        if (policy.Market == Address.Zero) return new PerpHedgeObservation(policy, null, null);
        if (policy.Market != market || account is null)
            return new PerpHedgeObservation(policy, null, $"the hedge market of {identity.Label} changed to {policy.Market} this cycle; it is read from the next");
        var state = account.Decode(identity.Pool, policy, responses, identity.BaseDecimals, identity.QuoteDecimals, out var error);
        return new PerpHedgeObservation(policy, state, error);
    }

    private async Task LearnHedgeMarketsAsync(CancellationToken ct)
    {
        var pools = _pools.Where(p => _hedged.Contains(p.Pool)).ToArray();
        if (pools.Length == 0) return;
        var batch = new RpcBatch();
        var reads = pools.Select(p => batch.Add(Call(_vault, TreasuryVault.EncodeHedgePolicyOf(p.Pool)), r => TreasuryVault.DecodeHedgePolicyOf(Bytes(r)))).ToArray();
        var answers = await batch.SendAsync(_eth.Rpc, ct).ConfigureAwait(false);
        for (var i = 0; i < pools.Length; i++)
        {
            if (reads[i].Raw(answers).Error is not null) continue; // the cycle reports it
            _hedgeMarketOf[pools[i].Pool] = reads[i].Read(answers).Market;
        }
    }

    /// <summary>
    /// Why consult(window) failed: ObservationTooOld(target, oldest) means the pool's history starts after
    /// now − window — it covers the window in (oldest − target) s unless swaps overwrite the oldest slot first.
    /// </summary>
    private static (string Error, HoldReason Reason) ExplainConsult(RpcException error, long window)
    {
        if (RevertExplainer.Decode(error) is { } reason)
        {
            if (reason is { Kind: RevertKind.Custom, ErrorName: "ObservationTooOld" })
            {
                var target = (long)(BigInteger)reason.Arguments[0]!;
                var oldest = (long)(BigInteger)reason.Arguments[1]!;
                return ($"the pool's observations start {oldest - target} s too late for the policy's {window} s TWAP window; " +
                        $"wait about {oldest - target} s of chain time (a local node's clock moves only as blocks are mined; if swaps keep overwriting the oldest slot, grow the pool's observation cardinality)",
                    HoldReason.TwapNotCovered);
            }
            return ($"consult({window}) reverted: {reason.Message}", HoldReason.ObserveFailed);
        }
        return ($"consult({window}) failed: {error.Message}", HoldReason.ObserveFailed);
    }

    /// <summary>Records the pool's feeds and TWAP window; true when they changed since the last read.</summary>
    private bool Remember(Address pool, Address priceFeed, Address volatilityFeed, uint twapWindow)
    {
        var now = (priceFeed, volatilityFeed, twapWindow);
        if (_feedsOf.TryGetValue(pool, out var known) && known == now) return false;
        _feedsOf[pool] = now;
        return true;
    }

    private async Task LearnFeedDecimalsAsync(CancellationToken ct)
    {
        var unknown = _feedsOf.Values.SelectMany(f => new[] { f.Price, f.Volatility }).Where(a => a != default && !_feedDecimals.ContainsKey(a)).Distinct().ToArray();
        if (unknown.Length == 0) return;
        var batch = new RpcBatch();
        var reads = unknown.Select(f => batch.Add(Call(f, OracleFeed.EncodeDecimals()), r => (int)OracleFeed.DecodeDecimals(Bytes(r)))).ToArray();
        var answers = await batch.SendAsync(_eth.Rpc, ct).ConfigureAwait(false);
        for (var i = 0; i < unknown.Length; i++)
        {
            if (reads[i].Raw(answers).Error is not null) continue; // its pools report the feed's failure each cycle
            try
            {
                _feedDecimals[unknown[i]] = reads[i].Read(answers);
            }
            catch (EthereumFormatException)
            {
                // no code there, or not a feed (empty or short answer): only the pools naming it hold, each cycle
            }
        }
    }

    internal static RpcRequest Call(Address to, byte[] data) =>
        new("eth_call", new CallRequest { To = to, Data = data }.ToJson(), "latest");

    internal static byte[] Bytes(RpcResponse response) => Hex.Decode(response.GetResult().GetString()!, "eth_call result");
}

/// <summary>The keeper cannot start: the message names what is wrong and the fix.</summary>
public sealed class KeeperSetupException(string message) : Exception(message);
