// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {SqrtPriceMath} from "../../contracts/libraries/SqrtPriceMath.sol";
import {Test} from "./base/Test.sol";
import {System, Deploy, Roles} from "./base/Fixture.sol";
import {vm} from "./base/Vm.sol";
import {TraderHandler} from "./handlers/TraderHandler.sol";

/// @notice ManagedPool under swaps alone (both ways, dust to huge, onto the edges, arbitrage to the oracle price),
/// donations and time: the curve never changes, so the whole run is one round trip. The cheapest suite: one
/// invariant function checks everything, so that `--profile deep` can run it at 100,000 runs.
contract SwapInvariants is Test {
    System internal s;
    TraderHandler internal trader;

    function setUp() public virtual {
        s = Deploy.system();
        _start();
    }

    function _start() internal {
        trader = new TraderHandler(s);
        bytes4[] memory t = new bytes4[](5);
        t[0] = TraderHandler.swap.selector;
        t[1] = TraderHandler.swapToEdge.selector;
        t[2] = TraderHandler.donate.selector;
        t[3] = TraderHandler.warp.selector;
        t[4] = TraderHandler.arbitrage.selector;
        targetSelector(FuzzSelector(address(trader), t));
        targetContract(address(trader));
    }

    /// @notice After every call: reserves + unsynced donations == balances; the curve's amounts <= reserves; the
    /// price in [low, high]; the round-trip trader never holds positive value at the starting price, nor more of
    /// either token back at a range edge or at the starting price.
    function invariant_swapsOnly() public view {
        (uint256 r0, uint256 r1) = s.pool.getReserves();
        assertEq(r0 + trader.unsynced0(), s.token0.balanceOf(address(s.pool)), "reserve0 + unsynced != balance0");
        assertEq(r1 + trader.unsynced1(), s.token1.balanceOf(address(s.pool)), "reserve1 + unsynced != balance1");
        (uint160 p,,,,,,) = s.pool.slot0();
        uint160 low = uint160(s.pool.sqrtPriceLowX96());
        uint160 high = uint160(s.pool.sqrtPriceHighX96());
        assertTrue(low <= p && p <= high, "price outside [low, high]");
        uint128 l = s.pool.liquidity();
        assertLe(SqrtPriceMath.getAmount0Delta(p, high, l, false), r0, "curve amount0 > reserve0");
        assertLe(SqrtPriceMath.getAmount1Delta(low, p, l, false), r1, "curve amount1 > reserve1");
        assertEq(trader.valueViolations(), 0, trader.firstViolation());
        assertEq(trader.edgeViolations(), 0, trader.firstViolation());
    }
}

/// @notice The same on a dust pool (the owner withdrew all but 1e12 wei of BASE and 2,000 units of QUOTE, about
/// 0.002 QUOTE each side): liquidity ~1e8, where every rounding of the swap math decides who gains the last wei.
contract SwapInvariantsDust is SwapInvariants {
    function setUp() public override {
        s = Deploy.system();
        (uint256 r0, uint256 r1) = s.pool.getReserves();
        vm.prank(Roles.OWNER);
        s.vault.withdraw(address(s.pool), r0 - 1e12, r1 - 2000, Roles.OWNER);
        assertTrue(s.pool.liquidity() > 0, "dust pool without liquidity");
        _start();
    }

    /// @notice The dust pool still trades (the invariant is not vacuous here).
    function test_dustPoolTrades() public {
        trader.swap(true, 12345, 20);
        trader.swap(false, 777, 12);
        trader.arbitrage();
        trader.swapToEdge(true);
        trader.swapToEdge(false);
        assertEq(trader.swapsOk(), 5, "dust pool swaps");
        assertTrue(trader.edgeHits() >= 2, "dust pool edges");
        invariant_swapsOnly();
    }
}
