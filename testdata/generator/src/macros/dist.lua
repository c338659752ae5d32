-- The dist tag of the fixture distribution: %distprefix (if any), ".eln",
-- then the value of %eln; empty when %eln is not defined.
local M = {}

function M.tag()
  local n = rpm.expand("%{?eln}")
  if n == "" then
    return ""
  end
  return rpm.expand("%{?distprefix}") .. ".eln" .. n
end

return M
