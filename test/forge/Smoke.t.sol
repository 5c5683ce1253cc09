// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;
import {Test} from "./base/Test.sol";
import {FullMath} from "../../contracts/libraries/FullMath.sol";
contract SmokeTest is Test {
    function testFuzz_x(uint256 a) public pure { assertEq(FullMath.mulDiv(a, 1, 1), a, "id"); }
}
