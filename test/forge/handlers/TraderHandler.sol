// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {FullMath} from "../../../contracts/libraries/FullMath.sol";
import {SqrtPriceMath} from "../../../contracts/libraries/SqrtPriceMath.sol";
import {AggregatorV3Interface} from "../../../contracts/interfaces/AggregatorV3Interface.sol";
import {ManagedPool} from "../../../contracts/ManagedPool.sol";
import {MintableERC20} from "../../../contracts/test/MintableERC20.sol";
import {System, Deploy} from "../base/Fixture.sol";
import {vm} from "../base/Vm.sol";

/// @notice Anyone's side of a ManagedPool: swaps both ways (dust to huge, pushes onto the range edges, arbitrage
/// toward the oracle price), direct donations, time warps. Tracks one round-trip trader's net token flows since the curve last changed (an `epoch`
/// that VaultHandler bumps on every successful rebalance, deposit, withdrawal or emergency withdrawal) and records:
///  - valueViolations: after a swap, the trader's net (dx, dy) is worth more than zero at the price the pool had
///    when the epoch began (dx * P0 + dy > 0, P0 = (sqrtP0 / 2^96)^2; token0 gains floored, losses ceiled: lenient by
///    less than one unit of token1). The curve's point at P0 is the cheapest of its points at the price P0, and fees only add to the pool,
///    so whatever path the swaps took the pool is worth at least as much at P0 and the trader at most as much;
///  - edgeViolations: at a range edge the trader had already been at in this epoch, dx or dy exceeds what it was then
///    (the curve's amounts at a fixed price are fixed and fees only add to the pool, so a trader can't gain either
///    token); the same back at P0 exactly (dx <= 0 and dy <= 0).
contract TraderHandler {
    address public constant TRADER = address(0x7EAD);

    ManagedPool public immutable pool;
    MintableERC20 public immutable token0;
    MintableERC20 public immutable token1;
    AggregatorV3Interface public immutable priceFeed;
    /// @notice The vault handler whose epoch() says the curve changed (zero: the curve never changes).
    IEpoch public epochSource;

    // ghost: the round-trip trader
    uint256 public epoch;
    bool public started;
    uint160 public startPrice; // the pool's sqrt price when the epoch began
    int256 public netX; // token0 received - paid since the epoch began
    int256 public netY;
    bool[2] public edgeSeen; // [low, high]
    int256[2] public edgeNetX;
    int256[2] public edgeNetY;
    uint256 public valueViolations;
    uint256 public edgeViolations;
    string public firstViolation;

    // ghost: tokens sent to the pool that it does not count until the vault syncs (read by the suites)
    uint256 public unsynced0;
    uint256 public unsynced1;

    // call counters (coverage)
    uint256 public swapsOk;
    uint256 public swapsReverted;
    uint256 public edgeHits;

    constructor(System memory s) {
        pool = s.pool;
        token0 = s.token0;
        token1 = s.token1;
        priceFeed = AggregatorV3Interface(address(s.oracle.priceFeed()));
        vm.prank(TRADER);
        token0.approve(address(pool), type(uint256).max);
        vm.prank(TRADER);
        token1.approve(address(pool), type(uint256).max);
    }

    function setEpochSource(IEpoch source) external {
        require(address(epochSource) == address(0), "set once");
        epochSource = source;
    }

    /// @notice Called by the vault handler after a sync/emergency withdrawal took every token the pool held.
    function clearUnsynced() external {
        unsynced0 = 0;
        unsynced1 = 0;
    }

    // ------------------------------------------------------------------ actions

    /// @notice A swap of a log-uniform size: scale picks the bit length (0..128), so dust and huge both come up.
    function swap(bool zeroForOne, uint256 amountSeed, uint8 scale) external {
        uint256 bits = uint256(scale) % 129;
        uint256 amountIn = bits == 0 ? 1 : (amountSeed % (uint256(1) << bits)) + 1;
        if (amountIn > type(uint128).max) amountIn = type(uint128).max;
        _swap(zeroForOne, amountIn);
    }

    /// @notice Pushes the price onto the range edge (an amount far above what the edge needs).
    function swapToEdge(bool zeroForOne) external {
        _swap(zeroForOne, uint256(1) << 120);
    }

    /// @notice An arbitrageur: swaps the pool's price toward the oracle's (within the range), about all the way.
    function arbitrage() external {
        (, int256 answer,,,) = priceFeed.latestRoundData();
        if (answer <= 0 || answer >= 1e30) return;
        uint256 target = Deploy.sqrtPriceOfAnswer(answer);
        (uint160 p,,,,,,) = pool.slot0();
        uint256 low = pool.sqrtPriceLowX96();
        uint256 high = pool.sqrtPriceHighX96();
        if (target < low) target = low;
        if (target > high) target = high;
        uint128 l = pool.liquidity();
        if (target == p || l == 0) return;
        if (target < p) _swap(true, SqrtPriceMath.getAmount0Delta(uint160(target), p, l, true) + 1);
        else _swap(false, SqrtPriceMath.getAmount1Delta(p, uint160(target), l, true) + 1);
    }

    /// @notice A direct transfer to the pool (not counted until the vault syncs).
    function donate(bool token0Side, uint256 amount) external {
        amount = amount % 1e24 + 1;
        MintableERC20 t = token0Side ? token0 : token1;
        t.mint(address(pool), amount);
        if (token0Side) unsynced0 += amount;
        else unsynced1 += amount;
    }

    /// @notice Time passes (1 s .. 2 h; one block).
    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + seconds_ % 7200 + 1);
        vm.roll(block.number + 1);
    }

    // ------------------------------------------------------------------ internals

    function _syncEpoch() private {
        uint256 e = address(epochSource) == address(0) ? 0 : epochSource.epoch();
        if (e != epoch || !started) {
            epoch = e;
            started = true;
            (startPrice,,,,,,) = pool.slot0();
            netX = 0;
            netY = 0;
            delete edgeSeen;
        }
    }

    function _swap(bool zeroForOne, uint256 amountIn) private {
        _syncEpoch();
        MintableERC20 tokenIn = zeroForOne ? token0 : token1;
        tokenIn.mint(TRADER, amountIn);
        uint256 b0 = token0.balanceOf(TRADER);
        uint256 b1 = token1.balanceOf(TRADER);
        vm.prank(TRADER);
        try pool.swapExactIn(zeroForOne, amountIn, 0, TRADER, block.timestamp) {
            swapsOk++;
        } catch {
            swapsReverted++;
        }
        // the flows are balance differences (the minted input that a swap to the edge leaves unused stays put)
        netX += int256(token0.balanceOf(TRADER)) - int256(b0);
        netY += int256(token1.balanceOf(TRADER)) - int256(b1);
        _check();
    }

    function _check() private {
        (uint160 s,,,,,,) = pool.slot0();
        if (!_valueNotPositive(netX, netY, startPrice)) {
            valueViolations++;
            _note("trader gained value at the epoch's starting price");
        }
        if (s == startPrice && (netX > 0 || netY > 0)) {
            edgeViolations++;
            _note("trader holds more of a token back at the starting price");
        }
        uint256 low = pool.sqrtPriceLowX96();
        uint256 high = pool.sqrtPriceHighX96();
        uint256 side = s == low ? 0 : s == high ? 1 : 2;
        if (side == 2) return;
        edgeHits++;
        if (!edgeSeen[side]) {
            edgeSeen[side] = true;
            edgeNetX[side] = netX;
            edgeNetY[side] = netY;
        } else if (netX > edgeNetX[side] || netY > edgeNetY[side]) {
            edgeViolations++;
            _note("trader holds more of a token back at the same range edge");
        }
    }

    /// @dev dx * P + dy <= 0 with P = s^2 / 2^192 (s < 2^128, so s^2 fits), the token0 gain floored and the token0
    /// loss ceiled: lenient by less than one unit of token1.
    function _valueNotPositive(int256 dx, int256 dy, uint256 s) internal pure returns (bool) {
        if (dx >= 0) {
            uint256 gain = FullMath.mulDiv(uint256(dx), s * s, 1 << 192);
            return dy <= 0 && gain <= uint256(-dy);
        }
        uint256 loss = FullMath.mulDivRoundingUp(uint256(-dx), s * s, 1 << 192);
        return dy <= 0 || uint256(dy) <= loss;
    }

    function _note(string memory what) private {
        if (bytes(firstViolation).length == 0) firstViolation = what;
    }
}

interface IEpoch {
    function epoch() external view returns (uint256);
}
