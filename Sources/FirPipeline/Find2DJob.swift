import FirAudio
import FirCore

/// `firpipe find2d`: where a template image occurs in an image, by normalized 2-D cross-correlation
/// (``NormalizedCorrelation2D``). Caller's thread; the images are held whole.
public struct Find2DJob: Sendable {
    public struct Request: Sendable {
        public var template: String
        public var image: String
        public var count: Int
        public var threshold: Float
        /// Where to write the score map as PFM (one score per template position), or nil.
        public var scoreMap: String?

        public init(template: String, image: String, count: Int = 5, threshold: Float = 0.7, scoreMap: String? = nil) {
            self.template = template
            self.image = image
            self.count = count
            self.threshold = threshold
            self.scoreMap = scoreMap
        }
    }

    public struct Result: Sendable {
        /// Best first; top-left corners.
        public var matches: [NormalizedCorrelation2D.Match]
        public var templateRows: Int
        public var templateColumns: Int
    }

    public let request: Request

    public init(_ request: Request) { self.request = request }

    /// - Throws: ``JobError``: unreadable or malformed images, a template larger than the image or flat.
    public func run() throws(JobError) -> Result {
        let template = try Self.plane(request.template), image = try Self.plane(request.image)
        guard template.rows <= image.rows && template.columns <= image.columns else {
            throw JobError(.usage, "\(request.template): \(template.columns) × \(template.rows) does not fit in "
                + "\(request.image) (\(image.columns) × \(image.rows)); give the template first, then the image")
        }
        guard NormalizedCorrelation2D.isMatchable(template) else {
            throw JobError(.badData, "\(request.template): is one flat colour; a template needs some detail to match")
        }
        let scores: Plane
        do {
            scores = try NormalizedCorrelation2D.scores(image: image, template: template)
        } catch {
            throw JobError(error, path: request.image, while: "correlating")
        }
        if let path = request.scoreMap {
            let map = PortableImage(rows: scores.rows, columns: scores.columns, values: scores.values)
            do { try PortableImage.write(map.pfm, to: path) } catch { throw JobError(audio: error) }
        }
        let matches = NormalizedCorrelation2D.best(
            scores, count: request.count, threshold: request.threshold, rows: template.rows, columns: template.columns)
        return Result(matches: matches, templateRows: template.rows, templateColumns: template.columns)
    }

    static func plane(_ path: String) throws(JobError) -> Plane {
        do {
            let image = try PortableImage(path: path)
            return Plane(rows: image.rows, columns: image.columns, values: image.values)
        } catch {
            throw JobError(audio: error)
        }
    }
}
