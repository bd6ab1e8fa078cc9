import FirCore
